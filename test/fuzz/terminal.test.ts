import { join } from "node:path";
import { Writable } from "node:stream";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { writeAsciicast } from "../../lib/outputs/asciicast.js";
import { writeCommandsJsonl } from "../../lib/outputs/commands.js";
import { Sink } from "../../lib/outputs/output-target.js";
import { writeTextTranscript } from "../../lib/outputs/text-transcript.js";
import { CsiClamp } from "../../lib/terminal/clamp-csi.js";
import { newOutcome, sessionOf, type Session, type SessionEvent } from "../../lib/session/model.js";
import { tempDir } from "../helpers/fixtures.js";
import { runBin, runCli } from "../helpers/run-cli.js";
import { writeCast } from "../helpers/sessions.js";
import { countsSeen } from "../helpers/xterm-counts.js";
import { chunkAt, expectTyped, fuzzParams, fuzzTimeout } from "./fuzz-config.js";

/**
 * A recorded session's bytes are written by whoever sat at either end: a hostile user or server can
 * print any escape sequence. Exporting such a session as text, commands or asciicast (all through
 * the terminal emulator and the command analysis) must finish, quickly, with bounded output, and
 * fail only with our typed errors.
 */
const ESC = "\x1b";
const num = fc.oneof(fc.nat(10), fc.constantFrom(0, 1, 255, 65535, 99999, 2147483647, 4294967295, 999999999999));
const piece = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom("$ ", "# ", "\r\n", "\r", "\b", "\t", "\x07", "\x00", "[sudo] password for root: ", "Password: ", "\x1b[?1049h", "\x1b[?1049l", "\x1b[2J", "\x1b[H", "\x1bc", "\x1b[?2004h", "\x1b[?2004l"),
  fc.tuple(fc.array(num, { maxLength: 5 }), fc.constantFrom(..."@ABCDEFGHIJKLMPSTXZ`abcdefghlmnqrstux".split(""))).map(([ps, f]) => `${ESC}[${ps.join(";")}${f}`),
  fc.tuple(fc.array(num, { maxLength: 3 }), fc.constantFrom("h", "l")).map(([ps, f]) => `${ESC}[?${ps.join(";")}${f}`),
  fc.tuple(fc.constantFrom("0", "1", "2", "4", "8", "52", "133", "633", "1337"), fc.string({ maxLength: 40 }), fc.constantFrom("\x07", "\x1b\\", "")).map(([n, t, end]) => `${ESC}]${n};${t}${end}`),
  fc.tuple(fc.string({ maxLength: 40 }), fc.constantFrom("\x1b\\", "")).map(([t, end]) => `${ESC}P${t}${end}`),
  fc.tuple(num, num).map(([r, c]) => `${ESC}[8;${r};${c}t`),
  fc.uint8Array({ maxLength: 20 }).map((b) => Buffer.from(b).toString("latin1")),
);
const stream = fc.array(fc.record({
  source: fc.constantFrom<0 | 1>(0, 1, 1, 1),
  gap: fc.oneof(fc.constant(0), fc.nat(3_000_000)),
  text: fc.array(piece, { minLength: 1, maxLength: 8 }).map((ps) => ps.join("")),
  raw: fc.boolean(),
}), { maxLength: 40 });

function session(events: SessionEvent[], pty: boolean, cols: number, rows: number): Session {
  const outcome = newOutcome();
  async function* read(): AsyncGenerator<SessionEvent[], void, undefined> {
    outcome.events = events.length;
    outcome.complete = true;
    yield events;
  }
  return sessionOf({
    info: { kind: "asciicast", path: "hostile.cast", startedAt: 1773273918, pty: pty ? { term: "xterm-256color", width: cols, height: rows, modes: [] } : null, exit: null, command: null, extra: {} },
    outcome, read,
  });
}

/** A sink that counts and discards. */
const counter = (): Sink => new Sink(new Writable({ write(_c, _e, cb) { cb(); } }));

/** One output event a second, each printing a bomb between two lines of a prompt. */
const bombOutput = (bombs: string[]): Array<[number, "o", string]> => bombs.map((b, i) => [1 + i, "o", `out ${i}\r\n${b}\r\n$ `]);

describe("a scroll bomb: 13 bytes that kept the emulator busy for an hour", () => {
  it("export (text, commands, cast) and index finish in seconds on a .cast file printing ESC [ 2147483647 S and friends", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const bombs = ["\x1b[2147483647S", "\x1b[2147483647T", "\x1b[2147483647L", "\x1b[2147483647M", "x\x1b[2147483647b", "\u009b2147483647S"];
      const cast = writeCast(join(dir, "bomb.cast"), [[0.1, "o", "$ "], [0.5, "i", "ls\r"], ...bombOutput(bombs)]);
      for (const format of ["text", "commands", "cast"]) {
        const started = Date.now();
        const r = await runCli(["export", cast, "-f", format, "-o", join(dir, `out.${format}`)]);
        expect(r.code, `${format}: ${r.stderr}`).toBe(0);
        expect(Date.now() - started, format).toBeLessThan(10_000);
      }
      const started = Date.now();
      const r = await runCli(["index", "--db", join(dir, "a.duckdb"), "--no-progress", cast]);
      expect(r.code, r.stderr).toBe(0);
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      cleanup();
    }
  }, 60_000);
});

describe("the scroll bombs that once slipped past the clamp", () => {
  it("export through the real CLI finishes in seconds (killed at 20 s) on each way of spelling the count", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const bombs = [`\x1b[${"9".repeat(70)}S`, `\x1b[${"0".repeat(60)}2147483647T`, "\x1b[2147483647:1L", "\x1b[2147\r483647M", "\x1b[2147\ufeff483647S",
        "\x1b\r[2147483647S", `\x1b[2147483647${";1".repeat(33)}S`, "x\x1b[0002147483647b"];
      const cast = writeCast(join(dir, "bomb.cast"), bombOutput(bombs));
      const r = await runBin(["export", cast, "-f", "text", "-o", join(dir, "out.txt")], { timeoutMs: 20_000 });
      expect(r.code, r.stderr).toBe(0);
    } finally {
      cleanup();
    }
  }, 30_000);
});

describe("fuzz: hostile terminal output through the exports", () => {
  it("text, commands and asciicast exports finish fast with bounded output, whatever the bytes", async () => {
    await fc.assert(fc.asyncProperty(stream, fc.boolean(), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 100 }), async (evs, pty, cols, rows) => {
      let t = 0;
      const events: SessionEvent[] = evs.map((e) => {
        t += e.gap;
        return { source: e.source, code: 0, elapsedMicros: t, data: Buffer.from(e.text, e.raw ? "latin1" : "utf8") };
      });
      const input = events.reduce((n, e) => n + e.data.length, 0);
      for (const write of [writeTextTranscript, writeCommandsJsonl, writeAsciicast] as const) {
        const sink = counter();
        const started = Date.now();
        try {
          await write(session(events, pty, cols, rows), sink);
        } catch (err) {
          expectTyped(err);
        }
        expect(Date.now() - started, write.name).toBeLessThan(10_000);
        // Output grows with the input and the screen, never without bound.
        expect(sink.bytes, write.name).toBeLessThan(64 * 1024 + 40 * input + 8 * cols * rows * (1 + events.length));
      }
    }), fuzzParams(60, 0.1));
  }, fuzzTimeout(120_000));
});

describe("fuzz: CSI counts written to slip past the clamp", () => {
  // The ways a count once slipped past: long digit runs, leading zeros, sub-parameters, bytes xterm
  // executes or skips inside the sequence or between ESC and [, a C1 CSI, too many parameters.
  const intro = fc.constantFrom("\x1b[", "\xc2\x9b", "\x1b\r[", "\x1b\x7f[", "\x1b\x80[", "\x1b\xff[", "\x1b\xe2\x82[");
  const count = fc.tuple(fc.constantFrom("", "0", "0".repeat(70)), num, fc.constantFrom("", "9".repeat(70))).map(([z, n, tail]) => `${z}${n}${tail}`);
  const noise = fc.constantFrom("", "", "\r", "\n", "\x07", "\x7f", "\xff", "\x80", "\xe2\x82", "\xef\xbb\xbf", "\xc0\x80", "\xc2\x85", "\xc2\xa9", "\xc2\x9b", "\x1b", "\x18");
  const sep = fc.constantFrom(";", ":", ";;", ";".repeat(40), ":1".repeat(40));
  const seq = fc.tuple(intro, fc.array(fc.tuple(count, noise, sep), { maxLength: 4 }), count, noise, fc.constantFrom(..."STLM@PXIZbmH")).map(
    ([i, ps, last, n, f]) => `${i}${ps.map(([c, x, s]) => `${c}${x}${s}`).join("")}${last}${n}${f}`);

  it("never hands xterm a count past the screen, whatever the spelling and the chunking", async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.oneof(seq, fc.string({ maxLength: 5 })), { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 8 }),
      fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 100 }), async (parts, cuts, cols, rows) => {
        const bytes = Buffer.from(parts.join(""), "latin1");
        const clamp = new CsiClamp(() => ({ cols, rows }));
        const out = Buffer.concat(chunkAt(bytes, cuts).map((c) => clamp.push(c)));
        for (const c of await countsSeen(out, { cols, rows })) expect(c.count, `${c.final} in ${JSON.stringify(parts)}`).toBeLessThanOrEqual(Math.max(1, c.limit));
      }), fuzzParams(300, 0.5));
  }, fuzzTimeout(60_000));
});
