// Child process for crash-sigkill.test.ts: records numbered lines through the built recorder with
// settings drawn from a seed, and reports progress on stdout until the parent SIGKILLs it:
//   "created" once the header is on disk, "flushed N" when lines 0..N-1 are on disk,
//   "closing N" before close() (N lines in all), "closed" after it.
// argv: <dist recorder.js> <capture path> <public key text> <seed>
const [, , recorderJs, path, publicKey, seedText] = process.argv;
const { createRecorder } = await import(recorderJs);

let seed = Number(seedText) >>> 0;
/** mulberry32: a small deterministic PRNG, so a failing seed replays. */
const rnd = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (xs) => xs[Math.floor(rnd() * xs.length)];

const rec = await createRecorder({
  publicKey,
  path,
  pty: { term: "xterm", width: 80, height: 24, modes: [["ECHO", 1]] },
  flushIntervalMs: pick([1, 5, 20, 100]),
  maxBlockBytes: pick([64, 200, 4096, 65536]),
  fsync: rnd() < 0.2,
});
rec.on("error", (err) => { process.stdout.write(`error ${err.code}\n`); });
process.stdout.write("created\n");
const line = (i) => Buffer.from(`line ${String(i).padStart(7, "0")} ${"x".repeat(Math.floor(rnd() * 120))}\r\n`);
const closeAfter = rnd() < 0.3 ? Math.floor(rnd() * 3000) : Infinity;
let n = 0;
for (;;) {
  const burst = 1 + Math.floor(rnd() * 40);
  for (let k = 0; k < burst; k++) {
    if (!rec.write(rnd() < 0.25 ? "client" : "server", line(n++))) await new Promise((r) => rec.once("drain", r));
  }
  if (rnd() < 0.05) rec.resize(80 + Math.floor(rnd() * 100), 24 + Math.floor(rnd() * 40));
  if (n >= closeAfter) {
    process.stdout.write(`closing ${n}\n`);
    await rec.close({ status: 0 });
    process.stdout.write("closed\n");
    setInterval(() => {}, 1000); // stay alive until the kill, as a proxy would
    await new Promise(() => {});
  }
  if (rnd() < 0.3) {
    await rec.flush();
    process.stdout.write(`flushed ${n}\n`);
  } else {
    await new Promise((r) => setTimeout(r, Math.floor(rnd() * 3)));
  }
}
