import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { encodeKeyText } from "../../../lib/crypto/keys.js";
import { generateKeyPair } from "../../../lib/crypto/suite.js";
import { ErrorCode } from "../../../lib/errors.js";
import { openCapture } from "../../../lib/session/open-capture.js";
import { createRecorder } from "../../../lib/session/recorder.js";
import { writeDecryptedZip } from "../../../lib/outputs/zip.js";
import { tempDir } from "../../helpers/fixtures.js";
import { dataOf, readRecording } from "../../helpers/read-recording.js";
import { referenceMismatch } from "../../helpers/reference-decode.js";
import { readZip } from "../../helpers/read-zip.js";

let keys: { privateKey: Uint8Array; publicKey: Uint8Array };
let tmp: { dir: string; cleanup: () => void };
beforeAll(async () => { keys = await generateKeyPair(); });
afterEach(() => tmp?.cleanup());

/** A clock the test moves by hand: milliseconds since the epoch. */
function manualClock(startMs: number): { now: () => number; advance: (ms: number) => void; set: (ms: number) => void } {
  let t = startMs;
  return { now: () => t, advance: (ms) => { t += ms; }, set: (ms) => { t = ms; } };
}

const START = Date.UTC(2026, 10, 22, 3, 0, 0);
const PTY = { term: "xterm-256color", width: 120, height: 40, modes: [["ECHO", 1], ["ICANON", 1]] as Array<[string, number]> };

describe("createRecorder", () => {
  it("records a PTY session that our reader and the ssh-log-cli zip layout read back exactly", async () => {
    tmp = tempDir();
    const path = join(tmp.dir, "pty.log");
    const clock = manualClock(START);
    const rec = await createRecorder({ publicKey: encodeKeyText(keys.publicKey), path, pty: PTY, startedAt: new Date(START), clock: clock.now });
    rec.write("server", Buffer.from("$ "));
    clock.advance(1200);
    for (const c of "ls\r") { rec.write("client", Buffer.from(c)); clock.advance(50); }
    rec.write("server", Buffer.from("ls\r\nfile\r\n$ "));
    clock.advance(2000);
    const summary = await rec.close({ status: 0, at: new Date(START + 5000) });

    const r = await readRecording(path, keys.privateKey);
    expect(r.violations).toEqual([]);
    expect(r.trailingBytes).toBe(0);
    expect(r.header.startedAt).toBe(START / 1000);
    expect(r.header.pty).toEqual(PTY);
    expect(r.header.exit).toEqual({ timestamp: START / 1000 + 5, status: 0, signal: null, coreDumped: false, errorMessage: null });
    expect(r.header.dataSize).toBe(statSync(path).size - r.headerBytes);
    expect(summary.dataSize).toBe(r.header.dataSize);
    expect(summary.fileBytes).toBe(statSync(path).size);
    expect(r.packets.map((p) => [p.source, p.code, p.elapsedMicros, Buffer.from(p.data).toString()])).toEqual([
      [1, 0, 0, "$ "], [0, 0, 1_200_000, "l"], [0, 0, 1_250_000, "s"], [0, 0, 1_300_000, "\r"], [1, 0, 1_350_000, "ls\r\nfile\r\n$ "],
    ]);
    // Small writes within one flush interval share one block.
    expect(r.blockSizes).toHaveLength(1);

    const zipPath = join(tmp.dir, "pty.zip");
    const s = await openCapture(path, { privateKey: keys.privateKey, mode: "strict" });
    await writeDecryptedZip(s, zipPath);
    const zip = await readZip(zipPath);
    expect([...zip.keys()].sort()).toEqual(["term_data.txt", "term_times.txt"]);
    expect(zip.get("term_data.txt")!.data.toString()).toBe(
      `Session started on 2026-11-22 03:00:00+00 [TERM="xterm-256color" COLUMNS="120" LINES="40"]\n$ ls\r\nfile\r\n$ \nScript done on 2026-11-22 03:00:05+00 [COMMAND_EXIT_CODE="0"]\n`);
    expect(zip.get("term_times.txt")!.data.toString()).toBe("0.000000 2\n1.350000 12\n");
  });

  it("records an exec session: stdin as source 0, stdout and stderr as source 1 with codes 0 and 1, and the command", async () => {
    tmp = tempDir();
    const path = join(tmp.dir, "exec.log");
    const rec = await createRecorder({ publicKey: keys.publicKey, path, pty: null, command: "sh -c 'cat; echo err >&2'" });
    rec.write("client", Buffer.from("input\n"));
    rec.write("server", Buffer.from("input\n"));
    rec.write("server", Buffer.from("err\n"), { stderr: true });
    await rec.close({ status: 3 });
    const s = await openCapture(path, { privateKey: keys.privateKey, mode: "strict" });
    expect(s.info.command).toBe("sh -c 'cat; echo err >&2'");
    expect(s.info.pty).toBeNull();
    expect(s.info.exit?.status).toBe(3);
    const evs = [];
    for await (const e of s.events()) evs.push([e.source, e.code, Buffer.from(e.data).toString()]);
    expect(evs).toEqual([[0, 0, "input\n"], [1, 0, "input\n"], [1, 1, "err\n"]]);
    expect(s.outcome.complete).toBe(true);
  });

  it("stores an exit signal, core dump and error message", async () => {
    tmp = tempDir();
    const path = join(tmp.dir, "sig.log");
    const rec = await createRecorder({ publicKey: keys.publicKey, path, pty: PTY });
    rec.write("server", Buffer.from("x"));
    await rec.close({ signal: "KILL", coreDumped: true, errorMessage: "killed by the OOM killer" });
    const r = await readRecording(path, keys.privateKey);
    expect(r.header.exit).toMatchObject({ status: null, signal: "KILL", coreDumped: true, errorMessage: "killed by the OOM killer" });
  });

  it("splits data larger than a block into packets with the same time, each block holding whole packets", async () => {
    tmp = tempDir();
    const path = join(tmp.dir, "big.log");
    const clock = manualClock(START);
    const rec = await createRecorder({ publicKey: keys.publicKey, path, pty: null, startedAt: new Date(START), clock: clock.now, maxBlockBytes: 1024 });
    const big = Buffer.alloc(5000, 7);
    for (let i = 0; i < big.length; i++) big[i] = i & 0xff;
    clock.advance(3);
    rec.write("server", big);
    rec.write("client", Buffer.from("after"));
    await rec.close({ status: 0 });
    const r = await readRecording(path, keys.privateKey);
    expect(r.violations).toEqual([]);
    expect(Math.max(...r.blockSizes)).toBeLessThanOrEqual(1024);
    const server = r.packets.filter((p) => p.source === 1);
    expect(server.length).toBe(Math.ceil(5000 / (1024 - 17)));
    expect(new Set(server.map((p) => p.elapsedMicros))).toEqual(new Set([3000]));
    expect(dataOf(r.packets, 1).equals(big)).toBe(true);
    expect(dataOf(r.packets, 0).toString()).toBe("after");
  });

  it("fills whole blocks with bulk output: 32 KiB writes make 64 KiB blocks, split where a block is full", async () => {
    tmp = tempDir();
    const path = join(tmp.dir, "bulk.log");
    const rec = await createRecorder({ publicKey: keys.publicKey, path, pty: null });
    const chunk = Buffer.alloc(32 * 1024);
    for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 7) & 0xff;
    for (let i = 0; i < 10; i++) rec.write("server", chunk);
    const s = await rec.close({ status: 0 });
    const r = await readRecording(path, keys.privateKey);
    expect(r.violations).toEqual([]);
    expect(await referenceMismatch(path, keys.privateKey, r.packets)).toBeNull();
    expect(r.blockSizes.slice(0, -1).every((n) => n === 64 * 1024)).toBe(true);
    expect(s.blocks).toBe(Math.ceil((10 * (32 * 1024 + 17)) / (64 * 1024)));
    expect(dataOf(r.packets, 1).equals(Buffer.concat(Array(10).fill(chunk)))).toBe(true);
  });

  it("clamps times when the clock goes backwards", async () => {
    tmp = tempDir();
    const path = join(tmp.dir, "back.log");
    const clock = manualClock(START);
    const rec = await createRecorder({ publicKey: keys.publicKey, path, pty: null, startedAt: new Date(START), clock: clock.now });
    clock.set(START + 500);
    rec.write("server", Buffer.from("a"));
    clock.set(START + 100);
    rec.write("server", Buffer.from("b"));
    clock.set(START - 10_000);
    rec.write("server", Buffer.from("c"));
    clock.set(START + 900);
    rec.write("server", Buffer.from("d"));
    await rec.close();
    const r = await readRecording(path, keys.privateKey);
    expect(r.violations).toEqual([]);
    expect(r.packets.map((p) => p.elapsedMicros)).toEqual([500_000, 500_000, 500_000, 900_000]);
    expect(r.header.exit).toBeNull();
  });

  it("never seals an empty block: flush and close with nothing buffered write no block", async () => {
    tmp = tempDir();
    const path = join(tmp.dir, "empty.log");
    const rec = await createRecorder({ publicKey: keys.publicKey, path, pty: null });
    await rec.flush();
    rec.write("server", new Uint8Array(0));
    await rec.flush();
    const summary = await rec.close({ status: 0 });
    expect(summary.blocks).toBe(0);
    const r = await readRecording(path, keys.privateKey);
    expect(r.blockSizes).toEqual([]);
    expect(r.header.dataSize).toBe(0);
    expect(r.header.exit?.status).toBe(0);
  });

  it("writes a block per flush, and the file on disk decrypts after each flush with no termination data", async () => {
    tmp = tempDir();
    const path = join(tmp.dir, "flush.log");
    const rec = await createRecorder({ publicKey: keys.publicKey, path, pty: PTY, flushIntervalMs: 60_000 });
    rec.write("server", Buffer.from("one"));
    await rec.flush();
    let r = await readRecording(path, keys.privateKey);
    expect(r.blockSizes).toHaveLength(1);
    expect(r.header.exit).toBeNull();
    expect(r.header.dataSize).toBe(0);
    expect(dataOf(r.packets, 1).toString()).toBe("one");
    rec.write("server", Buffer.from("two"));
    await rec.flush();
    r = await readRecording(path, keys.privateKey);
    expect(r.blockSizes).toHaveLength(2);
    expect(r.violations).toEqual([]);
    expect(dataOf(r.packets, 1).toString()).toBe("onetwo");
    await rec.close({ status: 1 });
    const zipPath = join(tmp.dir, "flush.zip");
    await writeDecryptedZip(await openCapture(path, { privateKey: keys.privateKey, mode: "strict" }), zipPath);
    expect((await readZip(zipPath)).get("term_data.txt")!.data.toString()).toMatch(/onetwo\nScript done on .* \[COMMAND_EXIT_CODE="1"\]\n$/);
  });

  it("seals on its own timer within flushIntervalMs", async () => {
    tmp = tempDir();
    const path = join(tmp.dir, "timer.log");
    const rec = await createRecorder({ publicKey: keys.publicKey, path, pty: null, flushIntervalMs: 30 });
    rec.write("server", Buffer.from("tick"));
    const deadline = Date.now() + 5000;
    let blocks = 0;
    while (Date.now() < deadline && blocks === 0) {
      await new Promise((r) => setTimeout(r, 20));
      blocks = (await readRecording(path, keys.privateKey)).blockSizes.length;
    }
    expect(blocks).toBe(1);
    expect(rec.blocks).toBe(1);
    await rec.close();
  });

  it("returns false past the high-water mark and emits drain once the blocks are on disk", async () => {
    tmp = tempDir();
    const path = join(tmp.dir, "bp.log");
    const rec = await createRecorder({ publicKey: keys.publicKey, path, pty: null, maxBlockBytes: 4096, highWaterMark: 16 * 1024 });
    const chunk = Buffer.alloc(4000, 1);
    let accepted = 0;
    let ok = true;
    for (let i = 0; i < 100 && ok; i++) { ok = rec.write("server", chunk); accepted++; }
    expect(ok).toBe(false);
    expect(accepted).toBeLessThanOrEqual(5);
    expect(rec.pendingBytes).toBeGreaterThanOrEqual(16 * 1024);
    await new Promise<void>((resolve) => rec.once("drain", resolve));
    expect(rec.pendingBytes).toBeLessThan(16 * 1024);
    // A producer that honours the contract never holds more than the mark plus one write.
    let peak = 0;
    for (let i = 0; i < 200; i++) {
      if (!rec.write("server", chunk)) await new Promise<void>((resolve) => rec.once("drain", resolve));
      peak = Math.max(peak, rec.pendingBytes);
    }
    expect(peak).toBeLessThan(16 * 1024 + 4096 + 64);
    const s = await rec.close({ status: 0 });
    const r = await readRecording(path, keys.privateKey);
    expect(r.violations).toEqual([]);
    expect(dataOf(r.packets, 1).length).toBe((accepted + 200) * 4000);
    expect(s.packets).toBe(accepted + 200);
  });

  it("keeps window changes in the header, coalescing bursts", async () => {
    tmp = tempDir();
    const path = join(tmp.dir, "resize.log");
    const clock = manualClock(START);
    const rec = await createRecorder({ publicKey: keys.publicKey, path, pty: PTY, startedAt: new Date(START), clock: clock.now, maxWindowChanges: 3 });
    clock.advance(1000); rec.resize(100, 30);
    clock.advance(10); rec.resize(101, 30);   // same burst: replaces
    clock.advance(1000); rec.resize(80, 24);
    clock.advance(1000); rec.resize(90, 24);
    rec.write("server", Buffer.from("x"));
    await rec.flush();
    // The flushed file already carries them (crash safety for the header too).
    expect((await readRecording(path, keys.privateKey)).header.extra.window_changes).toEqual([[1_010_000, 101, 30], [2_010_000, 80, 24], [3_010_000, 90, 24]]);
    clock.advance(1000); rec.resize(91, 25);  // over the limit: replaces the last, counted
    await rec.close({ status: 0 });
    const r = await readRecording(path, keys.privateKey);
    expect(r.header.extra.window_changes).toEqual([[1_010_000, 101, 30], [2_010_000, 80, 24], [4_010_000, 91, 25]]);
    expect(r.header.extra.window_changes_dropped).toBe(1);
  });

  it("fits a long command and a long error message in the reserved header", async () => {
    tmp = tempDir();
    const path = join(tmp.dir, "long.log");
    const command = `printf '%s' ${"\"quoted\\path\" ".repeat(300)}`;
    const rec = await createRecorder({ publicKey: keys.publicKey, path, pty: null, command });
    rec.write("server", Buffer.from("ok"));
    await rec.close({ status: 1, errorMessage: "\u0001".repeat(1000) });
    const s = await openCapture(path, { privateKey: keys.privateKey, mode: "strict" });
    expect(s.info.command).toBe(command);
    expect(s.info.exit?.errorMessage?.length).toBeGreaterThan(0);
    expect(s.info.exit?.errorMessage?.length).toBeLessThanOrEqual(200);
  });

  it("refuses to overwrite an existing file, a missing folder and a bad key, with codes", async () => {
    tmp = tempDir();
    const path = join(tmp.dir, "exists.log");
    writeFileSync(path, "keep me");
    await expect(createRecorder({ publicKey: keys.publicKey, path, pty: null })).rejects.toMatchObject({ code: ErrorCode.OutputExists });
    expect(readFileSync(path, "utf8")).toBe("keep me");
    await expect(createRecorder({ publicKey: keys.publicKey, path: join(tmp.dir, "no", "such.log"), pty: null })).rejects.toMatchObject({ code: ErrorCode.Output });
    await expect(createRecorder({ publicKey: "not a key", path: join(tmp.dir, "k.log"), pty: null })).rejects.toMatchObject({ code: ErrorCode.BadKey });
    expect(existsSync(join(tmp.dir, "k.log"))).toBe(false);
  });

  it("refuses PTY sizes, modes and exit statuses ssh-log-cli could not read (it takes them as u32)", async () => {
    tmp = tempDir();
    await expect(createRecorder({ publicKey: keys.publicKey, path: join(tmp.dir, "a.log"), pty: { ...PTY, width: -1 } })).rejects.toMatchObject({ code: ErrorCode.Usage });
    await expect(createRecorder({ publicKey: keys.publicKey, path: join(tmp.dir, "b.log"), pty: { ...PTY, modes: [["ECHO", 1.5]] } })).rejects.toMatchObject({ code: ErrorCode.Usage });
    expect(existsSync(join(tmp.dir, "a.log"))).toBe(false);
    const path = join(tmp.dir, "c.log");
    const rec = await createRecorder({ publicKey: keys.publicKey, path, pty: null });
    await expect(rec.close({ status: -1 })).rejects.toMatchObject({ code: ErrorCode.Usage });
    await rec.close({ status: 255 });
    expect((await readRecording(path, keys.privateKey)).header.exit?.status).toBe(255);
    expect(await referenceMismatch(path, keys.privateKey, [])).toBeNull();
  });

  it("refuses a start or exit time that is not a valid date, which would make a header no reader accepts", async () => {
    tmp = tempDir();
    await expect(createRecorder({ publicKey: keys.publicKey, path: join(tmp.dir, "a.log"), pty: null, startedAt: new Date("nonsense") })).rejects.toMatchObject({ code: ErrorCode.Usage });
    await expect(createRecorder({ publicKey: keys.publicKey, path: join(tmp.dir, "b.log"), pty: null, startedAt: "2026-01-01" as unknown as Date })).rejects.toMatchObject({ code: ErrorCode.Usage });
    await expect(createRecorder({ publicKey: keys.publicKey, path: join(tmp.dir, "c.log"), pty: null, clock: () => Number.NaN })).rejects.toMatchObject({ code: ErrorCode.Usage });
    expect(["a.log", "b.log", "c.log"].some((f) => existsSync(join(tmp.dir, f)))).toBe(false);
    const path = join(tmp.dir, "d.log");
    const rec = await createRecorder({ publicKey: keys.publicKey, path, pty: null, startedAt: new Date(START) });
    rec.write("server", Buffer.from("kept"));
    await expect(rec.close({ status: 0, at: new Date("nonsense") })).rejects.toMatchObject({ code: ErrorCode.Usage });
    await rec.close({ status: 0 });
    const r = await readRecording(path, keys.privateKey);
    expect(r.header.exit?.status).toBe(0);
    expect(dataOf(r.packets, 1).toString()).toBe("kept");
  });

  it("stores the exit of a signal name too long for the reserved header (an upstream sends any name), cut short", async () => {
    tmp = tempDir();
    for (const [name, signal, errorMessage] of [["long", "X".repeat(1000), "e".repeat(500)], ["escaped", "\u0001".repeat(100), "\u0001".repeat(300)]] as const) {
      const path = join(tmp.dir, `${name}.log`);
      const rec = await createRecorder({ publicKey: keys.publicKey, path, pty: null });
      rec.write("server", Buffer.from("kept"));
      await rec.close({ signal, coreDumped: true, errorMessage });
      const r = await readRecording(path, keys.privateKey);
      expect(signal.startsWith(r.header.exit!.signal!)).toBe(true);
      expect(r.header.exit?.coreDumped).toBe(true);
      expect(dataOf(r.packets, 1).toString()).toBe("kept");
    }
    const rec = await createRecorder({ publicKey: keys.publicKey, path: join(tmp.dir, "typed.log"), pty: null });
    await expect(rec.close({ signal: 9 as unknown as string })).rejects.toMatchObject({ code: ErrorCode.Usage });
    await expect(rec.close({ errorMessage: {} as unknown as string })).rejects.toMatchObject({ code: ErrorCode.Usage });
    await rec.close({ signal: "KILL" });
  });

  it("refuses data that is not bytes and an unknown source, instead of recording nothing or the wrong bytes", async () => {
    tmp = tempDir();
    const path = join(tmp.dir, "w.log");
    const rec = await createRecorder({ publicKey: keys.publicKey, path, pty: null });
    for (const data of ["text", 5, null, [1, 2], new Uint16Array([0x4142]), new DataView(new ArrayBuffer(4))]) {
      expect(() => rec.write("server", data as unknown as Uint8Array)).toThrow(expect.objectContaining({ code: ErrorCode.Usage }));
    }
    expect(() => rec.write("stdout" as "server", Buffer.from("x"))).toThrow(expect.objectContaining({ code: ErrorCode.Usage }));
    rec.write("server", new Uint8Array([0x6f, 0x6b]));
    rec.write(0, Buffer.from("in"));
    await rec.close({ status: 0 });
    const r = await readRecording(path, keys.privateKey);
    expect(r.packets.map((p) => [p.source, Buffer.from(p.data).toString()])).toEqual([[1, "ok"], [0, "in"]]);
  });

  it("refuses a header readers would not accept (over 1 MiB, or not JSON) before creating the file", async () => {
    tmp = tempDir();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const cases = [
      { extra: { note: "x".repeat(800_000) } },
      { command: "y".repeat(800_000) },
      { pty: PTY, maxWindowChanges: 30_000 },
      { extra: circular },
      { extra: { n: 1n } },
    ];
    for (const [i, c] of cases.entries()) {
      await expect(createRecorder({ publicKey: keys.publicKey, path: join(tmp.dir, `${i}.log`), pty: null, ...c })).rejects.toMatchObject({ code: ErrorCode.Usage });
      expect(existsSync(join(tmp.dir, `${i}.log`))).toBe(false);
    }
    // Just under the limit still records, and reads back.
    const path = join(tmp.dir, "ok.log");
    const rec = await createRecorder({ publicKey: keys.publicKey, path, pty: null, extra: { note: "x".repeat(700_000) } });
    rec.write("server", Buffer.from("kept"));
    await rec.close({ status: 0 });
    expect(dataOf((await readRecording(path, keys.privateKey)).packets, 1).toString()).toBe("kept");
  });

  it("refuses a flush interval Node's timers cannot hold (it would seal a block every millisecond) and a highWaterMark that is not a number", async () => {
    tmp = tempDir();
    for (const o of [{ flushIntervalMs: 1e12 }, { flushIntervalMs: 2 ** 31 }, { highWaterMark: Number.NaN }]) {
      await expect(createRecorder({ publicKey: keys.publicKey, path: join(tmp.dir, "a.log"), pty: null, ...o })).rejects.toMatchObject({ code: ErrorCode.Usage });
      expect(existsSync(join(tmp.dir, "a.log"))).toBe(false);
    }
    const rec = await createRecorder({ publicKey: keys.publicKey, path: join(tmp.dir, "b.log"), pty: null, flushIntervalMs: 2 ** 31 - 1 });
    await rec.close({ status: 0 });
  });

  it("refuses a public key that is neither text nor bytes with one sentence and ERR_BAD_KEY", async () => {
    tmp = tempDir();
    for (const publicKey of [undefined, null, 5, new ArrayBuffer(32)]) {
      const err = await createRecorder({ publicKey: publicKey as unknown as string, path: join(tmp.dir, "a.log"), pty: null }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: ErrorCode.BadKey });
      expect((err as Error).message).not.toMatch(/undefined bytes/);
    }
    expect(existsSync(join(tmp.dir, "a.log"))).toBe(false);
  });

  it("refuses writes after close, and close is idempotent", async () => {
    tmp = tempDir();
    const rec = await createRecorder({ publicKey: keys.publicKey, path: join(tmp.dir, "c.log"), pty: null });
    const a = rec.close({ status: 0 });
    const b = rec.close({ status: 5 });
    expect(a).toBe(b);
    await a;
    expect(() => rec.write("server", Buffer.from("late"))).toThrow(expect.objectContaining({ code: ErrorCode.Usage }));
  });

  it("fails with ERR_OUTPUT when the disk refuses the header (/dev/full)", async () => {
    if (!existsSync("/dev/full")) throw new Error("this test needs /dev/full");
    const rec = await createRecorder({ publicKey: keys.publicKey, path: "/dev/full", pty: null, overwrite: true }).catch((e: unknown) => e);
    expect(rec).toMatchObject({ code: ErrorCode.Output });
  });
});
