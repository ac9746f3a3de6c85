import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exitCodeFor } from "../../cli/handle-error.js";
import { ErrorCode, SshLogError } from "../../lib/errors.js";
import { openCapture } from "../../lib/session/open-capture.js";
import { runCli } from "../helpers/run-cli.js";
import { SESSIONS_DIR, fixtureKey, tempDirWithKey } from "../helpers/fixtures.js";

/**
 * Every truncation and every single-bit flip of small captures, each against an exact expectation
 * worked out from the file's structure alone (an oracle that knows FORMAT.md, not the reader).
 */
const BAD_DIR = fileURLToPath(new URL("../../fixtures/bad/", import.meta.url));

interface Layout { file: Buffer; headerEnd: number; json: Record<string, unknown>; blocks: Array<{ start: number; end: number }> }
function layout(file: Buffer): Layout {
  const n = file.readUInt32BE(0);
  const json = JSON.parse(Buffer.from(file.subarray(4, 4 + n).toString("latin1"), "base64").toString("utf8")) as Record<string, unknown>;
  const blocks: Layout["blocks"] = [];
  for (let at = 4 + n; at < file.length;) { const end = at + 4 + file.readUInt32BE(at); blocks.push({ start: at, end }); at = end; }
  return { file, headerEnd: 4 + n, json, blocks };
}

interface Outcome { code: string | null; blocks: number; output: boolean }
const OK = (blocks: number): Outcome => ({ code: null, blocks, output: true });
const fail = (code: string, blocks = 0, output = false): Outcome => ({ code, blocks, output });

/** The expected outcome of cutting the file to `c` bytes (these captures hold one packet per block). */
function expectCut(l: Layout, c: number): Outcome {
  if (c === 0) return fail(ErrorCode.EmptyFile);
  if (c < l.headerEnd) return fail(ErrorCode.Truncated);
  if (c === l.file.length) return OK(l.blocks.length);
  // Whole blocks before the cut are kept; data_size (declared by these files) shows a cut on a boundary.
  return fail(ErrorCode.Truncated, l.blocks.filter((b) => b.end <= c).length, true);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const int = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v);

/** The expected outcome of flipping one bit at `at`. */
function expectFlip(l: Layout, at: number, bit: number): Outcome {
  const size = l.file.length;
  const n = l.headerEnd - 4;
  if (at < 4) {
    const n2 = (n ^ ((1 << bit) << (8 * (3 - at)))) >>> 0;
    if (n2 === 0 || n2 > 1 << 20) return fail(ErrorCode.BadHeader);
    if (4 + n2 > size) return fail(ErrorCode.Truncated);
    return fail(ErrorCode.BadHeader); // a shorter or longer header: base64 or JSON broken
  }
  if (at < l.headerEnd) {
    const f = Buffer.from(l.file);
    f[at] = f[at]! ^ (1 << bit);
    const text = f.subarray(4, l.headerEnd).toString("latin1").trim();
    if (text.length % 4 !== 0 || !BASE64.test(text)) return fail(ErrorCode.BadHeader);
    let o: Record<string, unknown>;
    try { o = JSON.parse(Buffer.from(text, "base64").toString("utf8")) as Record<string, unknown>; } catch { return fail(ErrorCode.BadHeader); }
    if (o === null || typeof o !== "object" || Array.isArray(o)) return fail(ErrorCode.BadHeader);
    if (!int(o.started_at) || o.started_at < 0) return fail(ErrorCode.BadHeader);
    if (typeof o.encapsulated_key !== "string" || !/^[0-9a-fA-F]{64}$/.test(o.encapsulated_key)) return fail(ErrorCode.BadHeader);
    if (o.data_size != null && (!int(o.data_size) || o.data_size < 0)) return fail(ErrorCode.BadHeader);
    // pty, exit_data: the fixtures hold objects or null; a flip that keeps JSON valid renames a key or changes a value.
    for (const k of ["pty", "exit_data"] as const) if (JSON.stringify(o[k] ?? null) !== JSON.stringify(l.json[k] ?? null)) return { code: "metadata", blocks: -1, output: true };
    if (o.encapsulated_key.toLowerCase() !== String(l.json.encapsulated_key).toLowerCase()) return fail(ErrorCode.WrongKey);
    const stream = size - l.headerEnd;
    if (int(o.data_size) && o.data_size > stream) return fail(ErrorCode.Truncated, l.blocks.length, true);
    return OK(l.blocks.length); // started_at, data_size (smaller), or an unknown key changed: NOT detectable
  }
  const k = l.blocks.findIndex((b) => at < b.end);
  const b = l.blocks[k]!;
  if (at < b.start + 4) {
    const len = b.end - b.start - 4;
    const len2 = (len ^ ((1 << bit) << (8 * (3 - (at - b.start))))) >>> 0;
    if (len2 < 16) return k === 0 ? fail(ErrorCode.BlockAuth) : fail(ErrorCode.BlockAuth, k, true);
    if (len2 > 64 << 20) return k === 0 ? fail(ErrorCode.Limit) : fail(ErrorCode.Limit, k, true);
    if (b.start + 4 + len2 > size) return fail(ErrorCode.Truncated, k, true); // cut: block k never complete
    return k === 0 ? fail(ErrorCode.WrongKey) : fail(ErrorCode.BlockAuth, k, true);
  }
  return k === 0 ? fail(ErrorCode.WrongKey) : fail(ErrorCode.BlockAuth, k, true); // ciphertext or tag
}

async function readLib(bytes: Uint8Array): Promise<Outcome> {
  async function* src(): AsyncIterable<Uint8Array> { yield bytes; }
  try {
    const s = await openCapture("f.log", { privateKey: fixtureKey(), source: src() });
    for await (const _ of s.batches()) { /* drain */ }
    return { code: s.outcome.error?.code ?? null, blocks: s.outcome.blocks, output: true };
  } catch (err) {
    if (!(err instanceof SshLogError)) throw err;
    return { code: err.code, blocks: 0, output: false };
  }
}

const FILES = { "exec-empty-server": join(SESSIONS_DIR, "exec-empty-server.log"), "small-pty": join(BAD_DIR, "small-pty.log") };

let env: ReturnType<typeof tempDirWithKey>;
beforeAll(() => { env = tempDirWithKey(); });
afterAll(() => env.cleanup());

async function cli(bytes: Buffer, tag: string): Promise<{ exit: number; code: string | null; output: boolean; blocks: number | null; stray: string[] }> {
  const dir = join(env.dir, tag);
  mkdirSync(dir);
  const log = join(dir, "s.log");
  writeFileSync(log, bytes);
  const out = join(dir, "out.zip");
  const r = await runCli(["decrypt", "-i", env.key, "-l", log, "-o", out, "--json"]);
  const code = /\[(ERR_[A-Z_]+)\]/.exec(r.stderr)?.[1] ?? null;
  const blocks = r.stdout ? (JSON.parse(r.stdout) as { blocks: number }).blocks : null;
  return { exit: r.code, code, output: existsSync(out), blocks, stray: readdirSync(dir).filter((f) => f !== "s.log" && f !== "out.zip") };
}

describe.each(Object.entries(FILES))("every cut and every bit flip of %s", (name, path) => {
  const file = readFileSync(path);
  const l = layout(file);

  it(`truncation at each of its ${file.length + 1} lengths, through the CLI: exact code, exit code and kept blocks`, async () => {
    for (let c = 0; c <= file.length; c++) {
      const want = expectCut(l, c);
      const got = await cli(file.subarray(0, c), `${name}-cut-${c}`);
      const ctx = `${name} cut at ${c}`;
      expect(got.code, ctx).toBe(want.code);
      expect(got.exit, ctx).toBe(want.code === null ? 0 : exitCodeFor(want.code));
      expect(got.output, ctx).toBe(want.output);
      if (want.output) expect(got.blocks, ctx).toBe(want.blocks);
      expect(got.stray, ctx).toEqual([]);
    }
  }, 120_000);

  it(`each of its ${file.length * 8} single-bit flips: exact code and kept blocks (header, length prefixes, ciphertext, tags)`, async () => {
    const seen = new Map<string, number>();
    for (let at = 0; at < file.length; at++) {
      for (let bit = 0; bit < 8; bit++) {
        const f = Buffer.from(file);
        f[at] = f[at]! ^ (1 << bit);
        const want = expectFlip(l, at, bit);
        const got = await readLib(f);
        const ctx = `${name} byte ${at} bit ${bit}`;
        if (want.code === "metadata") {
          // pty or exit_data altered yet still valid: accepted, same data; or rejected as a bad header.
          expect([null, ErrorCode.BadHeader], ctx).toContain(got.code);
        } else {
          expect(got, ctx).toEqual(want);
        }
        const key = `${at < 4 ? "header-length" : at < l.headerEnd ? "header" : "block"}:${got.code ?? "accepted"}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
    }
    // The classes all occur (the oracle is not vacuous).
    expect(seen.get(`block:${file.length > 300 ? ErrorCode.BlockAuth : ErrorCode.WrongKey}`)).toBeGreaterThan(100);
    expect(seen.get(`header:${ErrorCode.BadHeader}`)).toBeGreaterThan(100);
    if (process.env.CATALOGUE_STATS) console.log(name, Object.fromEntries([...seen].sort()));
  }, 120_000);

  it("one flip per byte (every third byte past 300) through the CLI: the exit code matches the code, no output unless partial", async () => {
    for (let at = 0; at < file.length; at += at < 300 ? 1 : 3) {
      const bit = (at * 5) % 8;
      const f = Buffer.from(file);
      f[at] = f[at]! ^ (1 << bit);
      const want = expectFlip(l, at, bit);
      const got = await cli(f, `${name}-flip-${at}`);
      const ctx = `${name} byte ${at} bit ${bit}`;
      if (want.code === "metadata") continue;
      expect(got.code, ctx).toBe(want.code);
      expect(got.exit, ctx).toBe(want.code === null ? 0 : exitCodeFor(want.code));
      expect(got.output, ctx).toBe(want.output);
      expect(got.stray, ctx).toEqual([]);
    }
  }, 120_000);
});
