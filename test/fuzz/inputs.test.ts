import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorCode } from "../../lib/errors.js";
import { writeDecryptedZip } from "../../lib/outputs/zip.js";
import type { Session } from "../../lib/session/model.js";
import { openAsciicastText } from "../../lib/session/open-asciicast.js";
import { openCapture } from "../../lib/session/open-capture.js";
import { openLogpushPayload, openLogpushRecord } from "../../lib/session/open-logpush-payload.js";
import { openZip } from "../../lib/session/open-zip.js";
import { SESSIONS_DIR, fixtureKey, tempDir } from "../helpers/fixtures.js";
import { expectTyped, fuzzParams, fuzzTimeout } from "./fuzz-config.js";

/**
 * The other inputs, fuzzed: decrypted zips (yauzl), asciicast files, Logpush records and files.
 * Each mutated input must open and read to the end, or fail with one of our typed errors; never
 * another exception, never a hang.
 */
const CAST = readFileSync(fileURLToPath(new URL("../../fixtures/terminal/readline.cast", import.meta.url)), "utf8");

let tmp: { dir: string; cleanup: () => void };
let ptyZip: Buffer;
let execZip: Buffer;
let n = 0;
beforeAll(async () => {
  tmp = tempDir();
  for (const [name, set] of [["pty-exit-status", (b: Buffer) => { ptyZip = b; }], ["exec-empty-server", (b: Buffer) => { execZip = b; }]] as const) {
    const out = join(tmp.dir, `${name}.zip`);
    await writeDecryptedZip(await openCapture(join(SESSIONS_DIR, `${name}.log`), { privateKey: fixtureKey() }), out);
    set(readFileSync(out));
  }
});
afterAll(() => tmp.cleanup());

/** Reads a session to the end; returns the number of events, or the typed error's code. */
async function drain(open: () => Promise<Session>): Promise<string> {
  try {
    const s = await open();
    let events = 0;
    for await (const b of s.batches()) events += b.length;
    return s.outcome.error ? s.outcome.error.code : `ok:${events}`;
  } catch (err) {
    return expectTyped(err).code;
  }
}

/** Byte-level damage: flips, cuts, splices, overwritten little-endian integers (zip fields). */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 30 }) }),
  fc.record({ kind: fc.constant("u32" as const), at: fc.nat(), value: fc.constantFrom(0, 1, 0xffff, 0x7fffffff, 0xffffffff) }),
  fc.record({ kind: fc.constant("u16" as const), at: fc.nat(), value: fc.constantFrom(0, 1, 0xffff) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;
function mutate(src: Buffer, ms: Mutation[]): Buffer {
  let b = Buffer.from(src);
  for (const m of ms) {
    if (b.length === 0) break;
    const at = m.kind === "cut" || m.kind === "insert" ? m.at % (b.length + 1) : m.at % b.length;
    if (m.kind === "flip") b[at] = b[at]! ^ (1 << m.bit);
    else if (m.kind === "cut") b = b.subarray(0, at);
    else if (m.kind === "insert") b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
    else if (m.kind === "u32" && at + 4 <= b.length) b.writeUInt32LE(m.value, at);
    else if (m.kind === "u16" && at + 2 <= b.length) b.writeUInt16LE(m.value, at);
  }
  return b;
}

describe("fuzz: other inputs", () => {
  it("damaged decrypted zips: read or a typed error", async () => {
    await fc.assert(fc.asyncProperty(fc.boolean(), fc.array(mutation, { minLength: 1, maxLength: 4 }), async (pty, ms) => {
      const path = join(tmp.dir, `z${n++}.zip`);
      writeFileSync(path, mutate(pty ? ptyZip : execZip, ms));
      const r = await drain(() => openZip(path));
      expect(r.startsWith("ok:") || r.startsWith("ERR_"), r).toBe(true);
    }), fuzzParams(300));
  }, fuzzTimeout(60_000));

  it("a zip entry named to escape its folder is refused with ERR_BAD_INPUT", async () => {
    const name = Buffer.from("term_data.txt");
    // Same-length names written over the local and central headers: the zip stays well-formed.
    for (const evil of ["../../etc/pwd", "/etc/term.txt", "..\\..\\..\\x.tx", "ok/../../x.tx"]) {
      expect(evil.length).toBe(name.length);
      const z = Buffer.from(ptyZip);
      for (let at = z.indexOf(name); at >= 0; at = z.indexOf(name, at + 1)) z.write(evil, at, "latin1");
      const path = join(tmp.dir, `escape${n++}.zip`);
      writeFileSync(path, z);
      expect(await drain(() => openZip(path)), evil).toBe(ErrorCode.BadInput);
    }
  });

  it("mutated asciicast text: read or a typed error", async () => {
    const lineMutation = fc.oneof(
      fc.record({ kind: fc.constant("bytes" as const), ms: fc.array(mutation, { minLength: 1, maxLength: 3 }) }),
      fc.record({ kind: fc.constant("line" as const), at: fc.nat(), line: fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v) ?? "null"), fc.string(), fc.tuple(fc.oneof(fc.double(), fc.integer(), fc.string()), fc.constantFrom("o", "i", "r", "m", "x"), fc.oneof(fc.string(), fc.integer())).map((v) => JSON.stringify(v))) }),
      fc.record({ kind: fc.constant("header" as const), header: fc.jsonValue().map((v) => JSON.stringify(v) ?? "null") }),
    );
    await fc.assert(fc.asyncProperty(fc.array(lineMutation, { minLength: 1, maxLength: 3 }), async (ms) => {
      let text = CAST;
      for (const m of ms) {
        const lines = text.split("\n");
        if (m.kind === "bytes") text = mutate(Buffer.from(text), m.ms).toString("utf8");
        else if (m.kind === "line") { lines.splice(m.at % (lines.length + 1), 0, m.line); text = lines.join("\n"); }
        else { lines[0] = m.header; text = lines.join("\n"); }
      }
      const r = await drain(() => openAsciicastText(text, "f.cast"));
      expect(r.startsWith("ok:") || r.startsWith("ERR_"), r).toBe(true);
    }), fuzzParams(500));
  }, fuzzTimeout(60_000));

  it("Logpush records of any shape: read or a typed error", async () => {
    const payload = fc.oneof(
      fc.constant(Buffer.from(CAST).toString("base64")),
      fc.array(mutation, { minLength: 1, maxLength: 3 }).map((ms) => mutate(Buffer.from(CAST), ms).toString("base64")),
      fc.string(),
      fc.jsonValue(),
    );
    const time = fc.oneof(fc.constant("2026-10-01T00:09:21Z"), fc.string(), fc.integer(), fc.double(), fc.constant(1e30), fc.constant(-1), fc.constant(null));
    const record = fc.record({
      Payload: payload, SessionID: fc.oneof(fc.string(), fc.integer()), ProgramID: fc.oneof(fc.string(), fc.constant(undefined)),
      ProgramStartDatetime: time, ProgramFinishDatetime: time, SessionStartDatetime: time, Datetime: time,
      PTY: fc.oneof(fc.constantFrom("", "xterm-256color"), fc.jsonValue()), ProgramType: fc.oneof(fc.constantFrom("shell", "exec"), fc.jsonValue()),
      Error: fc.oneof(fc.string(), fc.jsonValue()),
    }, { requiredKeys: [] });
    await fc.assert(fc.asyncProperty(record, async (rec) => {
      const r = await drain(() => openLogpushRecord(rec as Record<string, unknown>, "ssh_logs.log.gz"));
      expect(r.startsWith("ok:") || r.startsWith("ERR_"), r).toBe(true);
    }), fuzzParams(500));
  }, fuzzTimeout(60_000));

  it("Logpush files (NDJSON, gzipped or not, damaged): read or a typed error", async () => {
    const line = JSON.stringify({ SessionID: "s1", ProgramID: "p1", ProgramType: "shell", PTY: "xterm", Payload: Buffer.from(CAST).toString("base64") });
    await fc.assert(fc.asyncProperty(fc.boolean(), fc.array(mutation, { maxLength: 3 }), async (gz, ms) => {
      const path = join(tmp.dir, `l${n++}.log${gz ? ".gz" : ""}`);
      const plain = Buffer.from(`${line}\n`);
      writeFileSync(path, mutate(gz ? gzipSync(plain) : plain, ms));
      const r = await drain(() => openLogpushPayload(path));
      expect(r.startsWith("ok:") || r.startsWith("ERR_"), r).toBe(true);
    }), fuzzParams(300));
  }, fuzzTimeout(60_000));
});
