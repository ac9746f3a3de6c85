import { afterAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { BIN } from "../helpers/run-cli.js";
import { terminalCast } from "../helpers/sessions.js";
import { requireTool } from "../helpers/system-tools.js";

// The replay driven in a real terminal: tmux runs `ssh-log replay`, send-keys presses the keys,
// capture-pane reads the screen. Needs the built CLI (npm run build, done by pretest).
// A fresh tmux server (socket) per test: a killed server may still be exiting when the next starts.
let serial = 0;
let server = "";
const tmux = (...args: string[]): string => execFileSync("tmux", ["-L", server, ...args], { encoding: "utf8" });
const screen = (): string => tmux("capture-pane", "-p", "-t", "r");
const status = (): string => screen().trimEnd().split("\n").at(-1) ?? "";

async function waitFor(what: string, test: () => boolean, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (test()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}; the screen was:\n${screen()}`);
}

function start(cols: number, rows: number, args: string): void {
  const dist = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
  if (!existsSync(dist)) throw new Error("the CLI is not built; run npm run build first");
  server = `ssh-log-replay-test-${process.pid}-${++serial}`;
  tmux("new-session", "-d", "-x", String(cols), "-y", String(rows), "-s", "r", `${process.execPath} ${BIN} replay ${args}; echo EXIT=$?; sleep 60`);
}

afterAll(() => {
  if (server === "") return;
  try { tmux("kill-server"); } catch { /* no server left */ }
});

describe("ssh-log replay in a real terminal (tmux)", () => {
  it("tmux is installed", () => requireTool("tmux"));

  it("pauses, jumps between commands, seeks back and forth, steps, changes speed and quits", async () => {
    start(100, 32, `${terminalCast("readline")} --speed 0.25`);
    try {
      await waitFor("playing", () => status().startsWith("▶"));
      tmux("send-keys", "-t", "r", " ");
      await waitFor("paused", () => status().startsWith("❚❚"));

      tmux("send-keys", "-t", "r", "]");
      await waitFor("the first command", () => status().includes("$ echo hello world") && screen().includes("ops@web-01:~$ echo hello world"));
      tmux("send-keys", "-t", "r", "]");
      await waitFor("the second command", () => status().includes("$ ls -d /etc") && screen().includes("hello world"));
      expect(status().startsWith("❚❚")).toBe(true); // jumping keeps it paused

      // Back 5 s from 0:02: the start, rebuilt from a snapshot; nothing typed yet.
      tmux("send-keys", "-t", "r", "Left");
      await waitFor("the start", () => status().includes("0:00 /") && !screen().includes("hello world"));
      // The first event turns on bracketed paste (nothing to see), the second draws the prompt.
      tmux("send-keys", "-t", "r", ".");
      await waitFor("one event", () => status().includes("0:00 /"));
      tmux("send-keys", "-t", "r", ".");
      await waitFor("the prompt", () => screen().includes("ops@web-01:~$") && status().startsWith("❚❚"));
      tmux("send-keys", "-t", "r", "Right");
      await waitFor("5 s on", () => status().includes("0:05 /") && screen().includes("ops@web-01:~$ cat /etc/hostname") && screen().includes("hosts.allow"));
      tmux("send-keys", "-t", "r", "[");
      await waitFor("the previous command", () => status().includes("$ cat /etc/hostname") && !screen().includes("hosts.allow"));

      tmux("send-keys", "-t", "r", "+");
      await waitFor("0.5x", () => status().includes(" 0.5x"));
      tmux("send-keys", "-t", "r", "G");
      await waitFor("the end", () => status().startsWith("■ end") && status().includes("$ exit"));
      tmux("send-keys", "-t", "r", "q");
      await waitFor("exit", () => screen().includes("EXIT=0"));
      // The terminal is given back: no status line left over.
      expect(screen()).not.toContain("q quit");
    } finally {
      tmux("kill-server");
    }
  });

  it("a signal from outside gives the terminal back and exits with 130", async () => {
    start(100, 32, terminalCast("readline"));
    try {
      await waitFor("playing", () => status().startsWith("▶"));
      const shell = tmux("list-panes", "-t", "r", "-F", "#{pane_pid}").trim();
      const node = execFileSync("pgrep", ["-P", shell], { encoding: "utf8" }).trim().split("\n")[0]!;
      process.kill(Number(node), "SIGTERM");
      await waitFor("exit", () => screen().includes("EXIT=130"));
      expect(screen()).not.toContain("q quit");
    } finally {
      tmux("kill-server");
    }
  });

  it("warns when the terminal is smaller than the recording", async () => {
    start(60, 20, terminalCast("sudo"));
    try {
      await waitFor("the crop warning", () => status().includes("recorded 100x30, terminal 60x20: cropped"));
      tmux("send-keys", "-t", "r", "q");
      await waitFor("exit", () => screen().includes("EXIT=0") && screen().replace(/\n/g, "").includes("the replay was cropped"));
    } finally {
      tmux("kill-server");
    }
  });
});
