// Child for keys.test.ts: runs `ssh-log decrypt` in-process through the built CLI, collects garbage,
// says "ready <exit code>", then waits to be killed while the parent scans its memory.
// argv: <dist/cli/main.js> <key> <log> <out.zip>
const [, , mainJs, key, log, out] = process.argv;
const { run } = await import(mainJs);
const quiet = { write: () => true };
const code = await run(["decrypt", "-i", key, "-l", log, "-o", out], { stdout: quiet, stderr: quiet, stdin: process.stdin, env: process.env, out: () => {}, err: () => {} });
for (let i = 0; i < 4; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 20)); }
process.stdout.write(`ready ${code}\n`);
setInterval(() => {}, 1000);
