// Child process for recorder-crash.test.ts: records numbered lines through the built recorder and
// reports each completed flush on stdout ("flushed N"), until it is killed or the disk refuses.
// argv: <dist recorder.js> <capture path> <public key text> <mode: "kill" | "efbig">
const [, , recorderJs, path, publicKey, mode] = process.argv;
const { createRecorder } = await import(recorderJs);
// A file-size limit (ulimit -f) sends SIGXFSZ; ignoring it turns the limit into EFBIG errors.
process.on("SIGXFSZ", () => {});
const rec = await createRecorder({ publicKey, path, pty: { term: "xterm", width: 80, height: 24, modes: [] }, flushIntervalMs: 20, maxBlockBytes: 4096 });
rec.on("error", (err) => { process.stdout.write(`error ${err.code}\n`); });
let n = 0;
const line = (i) => Buffer.from(`line ${String(i).padStart(6, "0")} ${"x".repeat(40)}\r\n`);
for (;;) {
  for (let k = 0; k < 20; k++) rec.write("server", line(n++));
  try {
    await rec.flush();
  } catch (err) {
    process.stdout.write(`flush failed ${err.code}\n`);
    try { await rec.close({ status: 0 }); } catch (e) { process.stdout.write(`close failed ${e.code}\n`); }
    process.exit(0);
  }
  process.stdout.write(`flushed ${n}\n`);
  if (n > (mode === "efbig" ? 100_000 : 2_000_000)) { process.stdout.write("no end in sight\n"); process.exit(1); }
  await new Promise((r) => setTimeout(r, 2));
}
