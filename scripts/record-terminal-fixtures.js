// Records fixtures/terminal/*.cast: real bash (readline), vim and password prompts, typed into a
// real terminal (tmux send-keys) and recorded with util-linux `script --log-io`, so the bytes are
// what a server really echoes for backspaces, arrow-key edits, tab completion and echo-off input.
// Run again only to refresh the fixtures: `node scripts/record-terminal-fixtures.js`.
// Needs tmux, script (util-linux), bash and vim.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, "fixtures", "terminal");
const COLS = 100;
const ROWS = 30;
// A fixed start time, so the fixtures do not change when re-recorded for other reasons.
const STARTED_AT = 1773273918;

const RC = String.raw`PS1='\[\e[01;32m\]ops@web-01\[\e[00m\]:\[\e[01;34m\]\w\[\e[00m\]$ '
HISTFILE=/dev/null
cd "$HOME"
# What sudo does on the wire: a prompt, echo off while the password is read, then a newline.
sudo() { local pw; while :; do read -rsp "[sudo] password for ops: " pw; echo; [ "$pw" = hunter2 ] && break; echo "Sorry, try again."; done; echo "ran: $*"; }
`;

const sleep = (s) => execFileSync("sleep", [String(s)]);

/** Each step: keys for tmux send-keys (a string is sent literally, an array as key names), then a pause. */
const SCENARIOS = {
  readline: [
    ["echo helo world", 0.3], [["Left", "Left", "Left", "Left", "Left", "Left", "Left"], 0.3], ["l", 0.2], [["Enter"], 0.4],
    ["lsx", 0.2], [["BSpace"], 0.2], [" -d /etc", 0.2], [["Enter"], 0.4],
    ["cat /etc/hostn", 0.2], [["Tab"], 0.4], [["Enter"], 0.4],
    ["ls /etc/host", 0.2], [["Tab"], 0.3], [["Tab"], 0.4], ["s", 0.2], [["Enter"], 0.4],
    [["Up"], 0.2], [["Up"], 0.2], [["Up"], 0.3], [["Enter"], 0.4],
    ["rm -rf /tmp/nothing-here", 0.2], [["C-c"], 0.4],
    ["cho edited at the start", 0.2], [["C-a"], 0.2], ["e", 0.2], [["Enter"], 0.4],
    [`echo ${"0123456789".repeat(11)}`, 0.3], [["Enter"], 0.4],
    [String.raw`for i in 1 2 3; do printf '\rprogress %d%%' $((i*33)); sleep 0.2; done; echo`, 0.2], [["Enter"], 1.2],
    ["clear", 0.2], [["Enter"], 0.4],
    ["echo after clear", 0.2], [["Enter"], 0.4],
    ["exit", 0.2], [["Enter"], 0.5],
  ],
  fullscreen: [
    ["printf 'line one\\nline two\\n' > notes.txt", 0.2], [["Enter"], 0.4],
    ["vim -u NONE -N notes.txt", 0.2], [["Enter"], 1.0],
    ["o", 0.2], ["hello from vim", 0.3], [["Escape"], 0.3], [":wq", 0.3], [["Enter"], 0.6],
    ["cat notes.txt", 0.2], [["Enter"], 0.4],
    ["exit", 0.2], [["Enter"], 0.5],
  ],
  sudo: [
    ["sudo systemctl restart nginx", 0.2], [["Enter"], 0.4],
    ["wrongpass", 0.3], [["Enter"], 0.4],
    ["hunter2", 0.3], [["Enter"], 0.4],
    ["read -r -s TOKEN", 0.2], [["Enter"], 0.4],
    ["tok-5ecret-value", 0.3], [["Enter"], 0.4],
    ["echo done", 0.2], [["Enter"], 0.4],
    ["exit", 0.2], [["Enter"], 0.5],
  ],
};

/** Reads script's advanced timing log and its input and output logs into asciicast events. */
function toCast(dir) {
  const timing = readFileSync(join(dir, "timing"), "utf8").split("\n");
  const strip = (buf) => buf.subarray(buf.indexOf(10) + 1); // the "Script started" line
  const streams = { I: strip(readFileSync(join(dir, "in"))), O: strip(readFileSync(join(dir, "out"))) };
  const pos = { I: 0, O: 0 };
  const events = [];
  let t = 0;
  for (const line of timing) {
    const m = /^([IO]) (\d+\.\d+) (\d+)$/.exec(line);
    if (!m) continue;
    t += Number(m[2]);
    const which = m[1];
    const n = Number(m[3]);
    const bytes = streams[which].subarray(pos[which], pos[which] + n);
    pos[which] += n;
    events.push([Math.round(t * 1e6) / 1e6, which === "I" ? "i" : "o", bytes.toString("utf8")]);
  }
  const header = { version: 2, width: COLS, height: ROWS, timestamp: STARTED_AT, env: { TERM: "xterm-256color", SHELL: "/bin/bash" } };
  return [JSON.stringify(header), ...events.map((e) => JSON.stringify(e))].join("\n") + "\n";
}

mkdirSync(outDir, { recursive: true });
for (const [name, steps] of Object.entries(SCENARIOS)) {
  const dir = mkdtempSync(join(tmpdir(), "ssh-log-rec-"));
  const server = `ssh-log-rec-${process.pid}`;
  try {
    writeFileSync(join(dir, "rc"), RC);
    const shell = `env -i TERM=xterm-256color HOME=${dir} LANG=C.UTF-8 bash --noprofile --rcfile ${dir}/rc -i`;
    const cmd = `script -q -E always -m advanced -T ${dir}/timing -I ${dir}/in -O ${dir}/out -c '${shell}'`;
    execFileSync("tmux", ["-L", server, "new-session", "-d", "-x", String(COLS), "-y", String(ROWS), "-s", "r", cmd]);
    sleep(1);
    for (const [keys, pause] of steps) {
      const args = Array.isArray(keys) ? keys : ["-l", keys];
      execFileSync("tmux", ["-L", server, "send-keys", "-t", "r", ...args]);
      sleep(pause);
    }
    sleep(0.5);
    const out = join(outDir, `${name}.cast`);
    writeFileSync(out, toCast(dir));
    console.log(`wrote ${out}`);
  } finally {
    try { execFileSync("tmux", ["-L", server, "kill-server"], { stdio: "ignore" }); } catch { /* already gone: the shell exited */ }
    rmSync(dir, { recursive: true, force: true });
  }
}
