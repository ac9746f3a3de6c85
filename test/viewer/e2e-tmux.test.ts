/**
 * `ssh-log view` in a real terminal: tmux runs the built CLI at 80x24 and 200x50, keys are typed
 * with send-keys, and the screen is read back with capture-pane. Needs tmux (installed by
 * scripts/ensure-system-deps.js) and a built dist (npm run build): it fails without them.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, runBin } from "../helpers/run-cli.js";
import { SESSIONS_DIR, tempDirWithKey } from "../helpers/fixtures.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const LOGPUSH = join(ROOT, "fixtures", "logpush");
const SOCKET = `ssh-log-view-test-${process.pid}`;

const tmux = (...args: string[]): string => execFileSync("tmux", ["-L", SOCKET, ...args], { encoding: "utf8", timeout: 10_000, stdio: ["ignore", "pipe", "pipe"] });
const screen = (): string => tmux("capture-pane", "-p", "-t", "v");
/** The screen with its escape sequences (colours, bold, inverse). */
const styled = (): string => tmux("capture-pane", "-p", "-e", "-t", "v");
const COLOUR = /\u001b\[[0-9;]*(3[0-7]|9[0-7]|38;[25]|4[0-7]|48;[25])[0-9;]*m/;
const keys = (...k: string[]): void => { tmux("send-keys", "-t", "v", ...k); };
const type = (text: string): void => { tmux("send-keys", "-t", "v", "-l", text); };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until the screen satisfies `ok`; fails with the last screen after `ms`. */
async function until(ok: (s: string) => boolean, what: string, ms = 15_000): Promise<string> {
  const end = Date.now() + ms;
  let s = "";
  while (Date.now() < end) {
    s = screen();
    if (ok(s)) return s;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}; the screen was:\n${s}`);
}
/** The pane's terminal modes: raw mode leaves "-icanon -echo", a restored terminal "icanon echo". */
const ttyModes = (): string => execFileSync("stty", ["-F", tmux("display-message", "-p", "-t", "v", "#{pane_tty}").trim(), "-a"], { encoding: "utf8" });
const selected = (s: string): string => s.split("\n").find((l) => l.startsWith("›")) ?? "";

/** Starts `ssh-log view ARGS` in a fresh tmux window of the given size; the shell prints EXIT=code after. */
function start(cols: number, rows: number, args: string[], env = ""): void {
  try { tmux("kill-session", "-t", "v"); } catch { /* none yet */ }
  const cmd = `cd ${JSON.stringify(ROOT)} && ${env} ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} view ${args.map((a) => JSON.stringify(a)).join(" ")}; echo EXIT=$?; sleep 600`;
  tmux("new-session", "-d", "-x", String(cols), "-y", String(rows), "-s", "v", cmd);
}

let keyDir: ReturnType<typeof tempDirWithKey>;
let db: string;

beforeAll(async () => {
  execFileSync("tmux", ["-V"], { encoding: "utf8" }); // no tmux: fail here, loudly
  keyDir = tempDirWithKey();
  db = join(keyDir.dir, "audit.duckdb");
  const r = await runBin(["index", LOGPUSH, SESSIONS_DIR, "-i", keyDir.key, "--db", db, "--no-progress"], { timeoutMs: 120_000 });
  expect(r.code, r.stderr).toBe(0);
  tmux("new-session", "-d", "-s", "keepalive", "sleep 900");
}, 180_000);

afterAll(() => {
  try { tmux("kill-server"); } catch { /* already gone */ }
  keyDir?.cleanup();
});

describe("ssh-log view in tmux", () => {
  it("at 80x24: finds the root rm -rf session, reads its commands, replays from the command, and gives the terminal back", async () => {
    start(80, 24, [db, "-i", keyDir.key]);
    let s = await until((x) => /\d+ sessions/.test(x) && !x.includes("loading"), "the session list");
    expect(tmux("display-message", "-p", "-t", "v", "#{alternate_on} #{cursor_flag}").trim()).toBe("1 0");
    expect(ttyModes()).toMatch(/(^|\s)-icanon(\s|$)/);
    expect(s).toContain("sort: newest");
    expect(s.split("\n").every((l) => [...l].length <= 80)).toBe(true);
    expect(styled()).toMatch(COLOUR);

    keys("/");
    // What a new auditor would type: the words, in any order.
    type("root rm -rf");
    keys("Enter");
    s = await until((x) => x.includes("filter: root rm -rf") && !x.includes("loading"), "the filtered list");
    expect(selected(s)).toMatch(/R!/);

    keys("?");
    s = await until((x) => x.includes("Session list: keys"), "the help screen");
    expect(s).toContain("cycle the order");
    await sleep(200);
    keys("Escape");
    await until((x) => x.includes("filter: root rm -rf"), "the list again");

    keys("Enter");
    s = await until((x) => x.includes("Commands (") && !x.includes("loading"), "the session's detail");
    expect(s).toContain("Access in the hour before");
    for (let i = 0; i < 20 && !selected(s).includes("rm -rf"); i++) {
      keys("j");
      await sleep(120);
      s = screen();
    }
    expect(selected(s)).toContain("rm -rf");

    keys("Enter");
    // The replay starts at the chosen command: the status line names it straight away.
    s = await until((x) => x.includes("Replay") && /command \d+\/\d+ at \+[\d:.]+: rm -rf/.test(x), "the replay at the rm -rf command");
    keys("Space");
    s = await until((x) => x.includes("paused"), "pause");
    keys("/");
    type("rm -rf");
    keys("Enter");
    s = await until((x) => /"rm -rf": match \d+ of \d+/.test(x), "the search result");
    expect(s.split("\n").some((l) => l.includes("│") && l.includes("rm -rf"))).toBe(true);
    keys("Home");
    s = await until((x) => x.includes("0:00.0"), "the start of the recording");

    keys("q");
    await until((x) => x.includes("Commands ("), "back to the detail");
    await sleep(150);
    keys("q");
    await until((x) => x.includes("filter: root rm -rf"), "back to the list");
    await sleep(150);
    keys("q");
    s = await until((x) => x.includes("EXIT=0"), "the shell after quitting");
    expect(s).not.toContain("ssh-log view ·");
    // Back on the main screen, with the cursor shown.
    expect(tmux("display-message", "-p", "-t", "v", "#{alternate_on} #{cursor_flag}").trim()).toBe("0 1");
    expect(ttyModes()).toMatch(/(^|\s)icanon(\s|$)/);
  }, 90_000);

  it("at 200x50: lists recordings straight from files, follows a resize, and quits with Ctrl-C", async () => {
    start(200, 50, [SESSIONS_DIR, "-i", keyDir.key], "NO_COLOR=1");
    let s = await until((x) => x.includes("7 sessions") && !x.includes("loading"), "the recordings list");
    expect(s).toMatch(/STARTED \(UTC\)\s+FILE/);
    expect(s).not.toContain("USER");
    const rows = s.split("\n").filter((l) => /\d{4}-\d\d-\d\d \d\d:\d\d/.test(l));
    expect(rows).toHaveLength(7);
    await until((x) => x.includes("!"), "the risky flag once the recordings are read");
    expect(styled()).not.toMatch(COLOUR);

    tmux("resize-window", "-t", "v", "-x", "60", "-y", "15");
    s = await until((x) => x.split("\n").filter((l) => /\d{4}-\d\d-\d\d/.test(l)).length < 7, "the list after the resize");
    expect(s.split("\n").every((l) => [...l].length <= 60)).toBe(true);

    keys("C-c");
    s = await until((x) => x.includes("EXIT=0"), "the shell after Ctrl-C");
  }, 60_000);

  it("gives the terminal back on SIGINT from outside, with exit 130", async () => {
    start(80, 24, [SESSIONS_DIR, "-i", keyDir.key]);
    await until((x) => x.includes("7 sessions"), "the recordings list");
    // The viewer is the one child of the pane's shell: signal it by its process id.
    const shell = tmux("display-message", "-p", "-t", "v", "#{pane_pid}").trim();
    const pid = execFileSync("pgrep", ["-P", shell], { encoding: "utf8" }).trim().split("\n")[0]!;
    process.kill(Number(pid), "SIGINT");
    const s = await until((x) => x.includes("EXIT=130"), "the shell after SIGINT");
    expect(s).not.toContain("ssh-log view ·");
    expect(tmux("display-message", "-p", "-t", "v", "#{alternate_on} #{cursor_flag}").trim()).toBe("0 1");
    expect(ttyModes()).toMatch(/(^|\s)icanon(\s|$)/);
  }, 60_000);
});
