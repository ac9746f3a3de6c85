// npm run demo: the main job end to end on the bundled sample captures, with embedded defaults
// (no server to set up). Writes everything under ./demo-out/ and says what it did at each step.
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "../dist/cli/main.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const samples = join(root, "fixtures", "sessions");
const out = join(root, "demo-out");
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "recordings"), { recursive: true });

// The sample captures were encrypted for this key; a real deployment makes its own with keygen.
const key = join(out, "sshkey");
copyFileSync(join(samples, "sshkey"), key);
chmodSync(key, 0o600);
copyFileSync(join(samples, "sshkey.pub"), `${key}.pub`);
for (const f of readdirSync(samples).filter((f) => f.endsWith(".log"))) copyFileSync(join(samples, f), join(out, "recordings", f));

const step = async (title, argv) => {
  console.log(`\n$ ssh-log ${argv.map((a) => (a.includes(" ") ? JSON.stringify(a) : a)).join(" ")}    # ${title}`);
  const code = await run(argv);
  if (code !== 0) {
    console.error(`demo: that step exited with ${code}`);
    process.exit(code);
  }
};

process.chdir(out);
await step("make a key pair of your own", ["keygen", "-o", "my-key"]);
await step("what a capture's cleartext header says, no key needed", ["inspect", "recordings/pty-exit0.log"]);
for (const f of readdirSync("recordings").filter((f) => f.endsWith(".log")).sort()) {
  await step("decrypt into the zip ssh-log-cli writes", ["decrypt", "-i", "sshkey", "-l", `recordings/${f}`]);
}
// Watching and sharing: a .cast for asciinema, a transcript for grep, the commands that were typed.
mkdirSync("exports", { recursive: true });
copyFileSync(join(root, "fixtures", "terminal", "sudo.cast"), join(out, "recordings", "sudo.cast"));
await step("an asciicast anyone can play, no key needed (asciinema play exports/pty-exit0.cast)", ["export", "-i", "sshkey", "-l", "recordings/pty-exit0.log", "-f", "cast", "-o", "exports/pty-exit0.cast"]);
await step("the session as text, as it was seen (grep it)", ["export", "-i", "sshkey", "-l", "recordings/pty-exit0.log", "-f", "text", "-o", "exports/pty-exit0.txt"]);
await step("the commands typed, one JSON line each", ["export", "-i", "sshkey", "-l", "recordings/pty-exit0.log", "-f", "commands", "-o", "exports/pty-exit0.commands.jsonl"]);
await step("a session with sudo: the passwords typed are masked", ["export", "recordings/sudo.cast", "-f", "commands"]);
await step("every recording at once, into one folder", ["export", "-i", "sshkey", "-l", "recordings/*.log", "-f", "text", "-o", "exports/all"]);
console.log("\nWatch one with seek and speed control: node bin/ssh-log.js replay -i demo-out/sshkey -l demo-out/recordings/pty-exit0.log   (space, arrows, [ ], q)");
// Recording: real sessions through ssh-log proxy when a local sshd can run, else scripted ones.
const { demoRecording } = await import("./demo-recording.js");
await demoRecording({ out, step, recipient: join(out, "my-key.pub"), privateKey: "my-key" });
// Audit: one embedded DuckDB file (./ssh-audit.duckdb) with the Logpush sample and every
// recording; SQL, compliance reports, search, Parquet. Nothing to start.
cpSync(join(root, "fixtures", "logpush"), join(out, "logpush"), { recursive: true });
await step("index the Logpush export sample and the recordings into ./ssh-audit.duckdb", ["index", "logpush", "recordings", "-i", "sshkey"]);
if (existsSync("recorded")) await step("and what the proxy recorded: its NDJSON index and captures (its own key)", ["index", "recorded", "-i", "my-key"]);
await step("the reports, and the controls each serves", ["report"]);
await step("who was denied, by user, app and country", ["report", "denied-access", "--since", "2026-11-01"]);
await step("who ran what as root or with sudo", ["report", "privileged-sessions", "--since", "2026-11-20"]);
await step("who touched prod after hours (Berlin working day 08-18, weekends too)", ["report", "after-hours", "--target", "*prod*", "--tz", "Europe/Berlin", "--since", "2026-11-15"]);
await step("where rm -rf was typed or shown, with the offset to jump to in a replay", ["search", "rm -rf", "--limit", "8"]);
await step("any SQL over Cloudflare's own field names", ["query", "SELECT Email, count(*) AS denials FROM access_requests WHERE NOT Allowed GROUP BY 1 ORDER BY 2 DESC"]);
await step("every table to Parquet, partitioned by day, for Spark, Trino, Athena or ClickHouse", ["export-parquet", "--out", "warehouse"]);
console.log(`\nDone: the zips are in ${join(out, "recordings")}.`);
// Last: where to browse what the demo made (printed only: the demo never opens the terminal UI).
console.log(existsSync(join(out, "ssh-audit.duckdb"))
  ? `\nBrowse, filter and replay these sessions: cd demo-out && node ../bin/ssh-log.js view -i sshkey -i my-key   (press ? for the keys)`
  : `\nBrowse, filter and replay these sessions: node bin/ssh-log.js view demo-out/recordings -i demo-out/sshkey   (press ? for the keys)`);
