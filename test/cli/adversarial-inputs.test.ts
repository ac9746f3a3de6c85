import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SESSIONS_DIR, tempDirWithKey } from "../helpers/fixtures.js";
import { runCli } from "../helpers/run-cli.js";
import { terminalCast } from "../helpers/sessions.js";

const t = tempDirWithKey();
afterAll(() => t.cleanup());
const log = join(SESSIONS_DIR, "pty-exit0.log");

/** The single stderr line of a failed run. */
function oneLine(r: { stderr: string }): string {
  const lines = r.stderr.trimEnd().split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  return lines[0]!;
}

/** A copy of `src` whose cleartext header has `patch` laid over it (the header is not authenticated). */
function withHeader(src: string, name: string, patch: (h: Record<string, any>) => void): string {
  const b = readFileSync(src);
  const n = b.readUInt32BE(0);
  const h = JSON.parse(Buffer.from(b.subarray(4, 4 + n).toString("latin1"), "base64").toString("utf8")) as Record<string, any>;
  patch(h);
  const text = Buffer.from(Buffer.from(JSON.stringify(h)).toString("base64"), "latin1");
  const len = Buffer.alloc(4);
  len.writeUInt32BE(text.length);
  const out = join(t.dir, name);
  writeFileSync(out, Buffer.concat([len, text, b.subarray(4 + n)]));
  return out;
}

describe("times no date can show (a forged header, a .cast or Logpush field)", () => {
  it("a capture's started_at or exit time past the year 274000 is a bad header (exit 5), not an unexpected error or NaN dates in the zip", async () => {
    const late = withHeader(log, "late.log", (h) => { h.started_at = 9e15; });
    const exit = withHeader(log, "exit.log", (h) => { h.exit_data.timestamp = -9e15; });
    for (const argv of [["inspect", late], ["export", "-i", t.key, "-f", "cast", late], ["export", "-i", t.key, "-f", "commands", late],
      ["decrypt", "-i", t.key, "-l", late, "-o", join(t.dir, "late.zip")], ["inspect", exit]]) {
      const r = await runCli(argv);
      expect(r.code, argv.join(" ")).toBe(5);
      expect(oneLine(r)).toMatch(/is beyond the dates ssh-log can show \(about 274,000 years either side of 1970\); .*\[ERR_BAD_HEADER\]$/);
    }
  });

  it("a .cast header timestamp or a Logpush time past the year 274000 is ignored, as one that is not a number", async () => {
    const cast = join(t.dir, "late.cast");
    writeFileSync(cast, '{"version":2,"width":80,"height":24,"timestamp":1e20}\n[0.5,"o","a\\n"]\n');
    const c = await runCli(["export", "-f", "cast", cast]);
    expect(c.stderr).toBe("");
    expect(c.code).toBe(0);
    expect(c.stdout.split("\n")[0]).toContain('"timestamp":0');
    const lp = join(t.dir, "late-logpush.json");
    const payload = Buffer.from('{"version":2,"width":80,"height":24}\n[0.5,"o","$ "]\n[1,"i","ls\\r"]\n[1.1,"o","ls\\r\\nok\\r\\n$ "]\n').toString("base64");
    writeFileSync(lp, `${JSON.stringify({ SessionID: "s1", ProgramID: "s1-0", ProgramType: "shell", PTY: "xterm", ProgramStartDatetime: 1e300, SessionStartDatetime: "2026-10-01T00:09:21Z", Payload: payload })}\n`);
    const l = await runCli(["export", "-f", "commands", "--logpush", lp]);
    expect(l.stderr).toBe("");
    expect(l.code).toBe(0);
    expect(JSON.parse(l.stdout.split("\n")[0]!)).toMatchObject({ command: "ls", startedAtIso: "2026-10-01T00:09:22.000Z" });
  });
});

describe("a .cast event time too large for a number of microseconds", () => {
  it("ends reading at that line (exit 5, what was kept written), instead of writing null times", async () => {
    const cast = join(t.dir, "far.cast");
    writeFileSync(cast, '{"version":2,"width":80,"height":24}\n[0.5,"o","a\\n"]\n[1e308,"o","b\\n"]\n');
    const r = await runCli(["export", "-f", "cast", cast]);
    expect(r.code).toBe(5);
    expect(r.stderr.split("\n")[0]).toBe(`ssh-log: ${cast}: line 3 has the time 1e+308 s, more than the 285 years a recording can last; the 1 event before it was kept. [ERR_BAD_INPUT]`);
    expect(r.stdout).not.toContain("null");
    expect(r.stdout.trimEnd().split("\n").slice(1)).toEqual(['[0.5,"o","a\\n"]']);
  });
});

describe("a path that cannot be reached", () => {
  it("a file used as a folder, a loop of symbolic links, a name too long: one sentence saying so, not Node's error text (exit 6)", async () => {
    const { symlinkSync } = await import("node:fs");
    symlinkSync("loop-b", join(t.dir, "loop-a"));
    symlinkSync("loop-a", join(t.dir, "loop-b"));
    const cases: Array<[string[], string]> = [
      [["inspect", join(log, "x")], `The capture ${join(log, "x")} cannot be reached: a part of its path is a file, not a folder; check the path.`],
      [["decrypt", "-i", join(t.dir, "loop-a"), "-l", log, "-o", join(t.dir, "l.zip")], `The key file ${join(t.dir, "loop-a")} cannot be reached: its symbolic links form a loop; check the path.`],
      [["export", "-f", "text", join(t.dir, "n".repeat(300))], `The input ${join(t.dir, "n".repeat(300))} has a name too long for the file system; check the path.`],
    ];
    for (const [argv, sentence] of cases) {
      const r = await runCli(argv);
      expect(r.code, argv.join(" ")).toBe(6);
      expect(oneLine(r)).toBe(`ssh-log: ${sentence} [ERR_UNREADABLE]`);
    }
  });
});

describe("pipes (FIFOs, <(cat file))", () => {
  const writers: ChildProcess[] = [];
  afterAll(() => { for (const w of writers) w.kill(); });
  /** A FIFO that `src` is written into once a reader opens it, as `<(cat src)` gives. */
  function fifoOf(src: string, name: string): string {
    const fifo = join(t.dir, name);
    execFileSync("mkfifo", [fifo]);
    const writer = spawn("sh", ["-c", 'cat "$1" > "$2"', "sh", src, fifo], { stdio: "ignore" });
    writers.push(writer);
    return fifo;
  }

  it("a key read from a pipe decrypts, as from its file", async () => {
    const out = join(t.dir, "from-piped-key.zip");
    const r = await runCli(["decrypt", "-i", fifoOf(t.key, "key.fifo"), "-l", log, "-o", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(out)).toBe(true);
  });

  it("an input that must be read twice is refused as a pipe, with what to do, not read without its start", async () => {
    const cast = fifoOf(terminalCast("sudo"), "input.fifo");
    const r = await runCli(["export", "-f", "text", cast]);
    expect(r.code).toBe(6);
    expect(oneLine(r)).toBe(`ssh-log: The input ${cast} is a pipe, which ssh-log needs to read more than once; save it to a file and give that instead. [ERR_UNREADABLE]`);
    expect(r.stdout).toBe("");
  });
});

describe("escape sequences planted in a capture's header (it is not authenticated)", () => {
  it("inspect shows them as marks, never sends them to the terminal", async () => {
    const evil = "\u001b]0;pwned\u0007\u001b[7m\u009b2J";
    const forged = withHeader(log, "escapes.log", (h) => { h.pty.term += evil; h.exit_data.error_msg = `boom${evil}`; h[`ext${evil}`] = 1; });
    const r = await runCli(["inspect", forged]);
    expect(r.code, r.stderr).toBe(0);
    // eslint-disable-next-line no-control-regex
    expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(r.stdout).toContain("xterm-256color␛]0;pwned␇␛[7m�2J 120x40");
    expect(r.stdout).toContain('error "boom␛]0;pwned␇␛[7m�2J"');
    expect(r.stdout).toContain("Extensions  ext␛]0;pwned␇␛[7m�2J");
  });

  it("a message that quotes a name holding escape sequences shows them as marks", async () => {
    const odd = join(t.dir, "a\u001b]0;pwned\u0007\u009b2J.log");
    const r = await runCli(["inspect", odd]);
    expect(r.code).toBe(6);
    expect(oneLine(r)).toBe(`ssh-log: The capture ${join(t.dir, "a␛]0;pwned␇�2J.log")} does not exist; check the path. [ERR_NOT_FOUND]`);
  });
});
