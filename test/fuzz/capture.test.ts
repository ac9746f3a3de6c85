import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { ErrorCode, SshLogError, isPartialCode } from "../../lib/errors.js";
import { generateKeyPair } from "../../lib/crypto/suite.js";
import type { Packet } from "../../lib/format/packets.js";
import { openCapture } from "../../lib/session/open-capture.js";
import { asSource, chunkAt, expectTyped, fuzzParams, fuzzTimeout } from "./fuzz-config.js";
import { buildCapture, encodePackets, isPrefixOf, packetsArb, splitBlocks } from "./make-capture.js";

let keys: { privateKey: Uint8Array; publicKey: Uint8Array };
let otherKeys: { privateKey: Uint8Array; publicKey: Uint8Array };
beforeAll(async () => {
  keys = await generateKeyPair();
  otherKeys = await generateKeyPair();
});

interface Read { packets: Packet[]; complete: boolean; error: SshLogError | null; thrown: SshLogError | null }

/** Reads a capture from bytes in the given chunks; packets are copied as they come. */
async function read(file: Uint8Array, cuts: number[], mode: "lenient" | "strict" = "lenient", privateKey = keys.privateKey): Promise<Read> {
  const packets: Packet[] = [];
  try {
    const s = await openCapture("f.log", { privateKey, mode, source: asSource(chunkAt(file, cuts)) });
    for await (const batch of s.batches()) for (const p of batch) packets.push({ ...p, data: Uint8Array.from(p.data) });
    return { packets, complete: s.outcome.complete, error: s.outcome.error, thrown: null };
  } catch (err) {
    return { packets, complete: false, error: null, thrown: expectTyped(err) };
  }
}

/** A random session sealed into a capture with random (often hostile) block boundaries. */
const sessionArb = fc.record({ packets: packetsArb, blockCuts: fc.array(fc.nat(), { maxLength: 12 }), readCuts: fc.array(fc.nat(), { maxLength: 12 }) });

/** Ways a file gets damaged or forged, each applied to the sealed parts. */
type Damage =
  | { kind: "flip"; at: number; bit: number }
  | { kind: "cut"; at: number }
  | { kind: "drop" | "dup"; block: number }
  | { kind: "swap"; a: number; b: number }
  | { kind: "length"; block: number; value: number }
  | { kind: "insert"; at: number; bytes: Uint8Array }
  | { kind: "append"; bytes: Uint8Array }
  | { kind: "enc"; hex: string };
/** X25519 points of small order (and non-canonical encodings of them): every shared secret is 0. */
const LOW_ORDER_POINTS = [
  "00".repeat(32),
  `01${"00".repeat(31)}`,
  "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
  "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
];
const damageArb: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }),
  fc.record({ kind: fc.constantFrom("drop" as const, "dup" as const), block: fc.nat() }),
  fc.record({ kind: fc.constant("swap" as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant("length" as const), block: fc.nat(), value: fc.oneof(fc.constantFrom(0, 1, 15, 16, 17, 0xffffffff, (64 << 20) + 1), fc.nat(2000)) }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
  fc.record({ kind: fc.constant("append" as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
  fc.record({ kind: fc.constant("enc" as const), hex: fc.oneof(fc.constantFrom(...LOW_ORDER_POINTS), fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString("hex"))) }),
);

function damage(header: Buffer, blocks: Buffer[], d: Damage): Buffer {
  const file = Buffer.concat([header, ...blocks]);
  const n = blocks.length;
  switch (d.kind) {
    case "flip": { const f = Buffer.from(file); const i = d.at % f.length; f[i] = f[i]! ^ (1 << d.bit); return f; }
    case "cut": return file.subarray(0, d.at % (file.length + 1));
    case "drop": return n === 0 ? file : Buffer.concat([header, ...blocks.filter((_, i) => i !== d.block % n)]);
    case "dup": { if (n === 0) return file; const i = d.block % n; return Buffer.concat([header, ...blocks.slice(0, i + 1), blocks[i]!, ...blocks.slice(i + 1)]); }
    case "swap": { if (n < 2) return file; const b = [...blocks]; const i = d.a % n; const j = d.b % n; [b[i], b[j]] = [b[j]!, b[i]!]; return Buffer.concat([header, ...b]); }
    case "length": { if (n === 0) return file; const b = blocks.map((x) => Buffer.from(x)); b[d.block % n]!.writeUInt32BE(d.value >>> 0, 0); return Buffer.concat([header, ...b]); }
    case "insert": { const i = d.at % (file.length + 1); return Buffer.concat([file.subarray(0, i), d.bytes, file.subarray(i)]); }
    case "append": return Buffer.concat([file, d.bytes]);
    case "enc": {
      const n0 = header.readUInt32BE(0);
      const json = JSON.parse(Buffer.from(header.subarray(4, 4 + n0).toString("latin1"), "base64").toString("utf8")) as Record<string, unknown>;
      const b64 = Buffer.from(JSON.stringify({ ...json, encapsulated_key: d.hex })).toString("base64");
      const h = Buffer.alloc(4 + b64.length);
      h.writeUInt32BE(b64.length, 0);
      h.write(b64, 4, "latin1");
      return Buffer.concat([h, ...blocks]);
    }
  }
}

describe("fuzz: encrypted captures end to end", () => {
  it("any session sealed with any block layout reads back exactly, in any chunking", async () => {
    await fc.assert(fc.asyncProperty(sessionArb, async ({ packets, blockCuts, readCuts }) => {
      const cap = await buildCapture(keys.publicKey, splitBlocks(encodePackets(packets), blockCuts));
      const r = await read(cap.file, readCuts, "strict");
      expect(r.thrown).toBeNull();
      expect(r.complete).toBe(true);
      expect(isPrefixOf(r.packets, packets) && r.packets.length === packets.length).toBe(true);
    }), fuzzParams(150));
  }, fuzzTimeout(60_000));

  it("a damaged or forged capture yields only authenticated packets, and only typed errors", async () => {
    await fc.assert(fc.asyncProperty(sessionArb, damageArb, async ({ packets, blockCuts, readCuts }, d) => {
      const cap = await buildCapture(keys.publicKey, splitBlocks(encodePackets(packets), blockCuts));
      const bad = damage(cap.header, cap.blocks, d);
      const lenient = await read(bad, readCuts, "lenient");
      // Never a byte that did not authenticate: what comes out is a prefix of what went in.
      expect(isPrefixOf(lenient.packets, packets)).toBe(true);
      if (lenient.thrown) {
        expect([ErrorCode.BadHeader, ErrorCode.EmptyFile, ErrorCode.WrongKey, ErrorCode.Truncated, ErrorCode.BlockAuth, ErrorCode.Limit]).toContain(lenient.thrown.code);
        expect(lenient.packets).toEqual([]);
      } else if (lenient.error) {
        expect(isPartialCode(lenient.error.code) || lenient.error.code === ErrorCode.Limit).toBe(true);
        expect(lenient.complete).toBe(false);
      } else if (!bad.equals(cap.file)) {
        // Accepted a changed file as whole: only possible where the format cannot see the change
        // (the cleartext header) or where data_size still matches.
        expect(lenient.packets.length).toBe(packets.length);
      }
      // Strict mode agrees: it throws the very error lenient mode reported, after the same packets.
      const strict = await read(bad, readCuts, "strict");
      expect(strict.packets).toEqual(lenient.packets.slice(0, strict.packets.length));
      expect((strict.thrown ?? strict.error)?.code).toBe((lenient.thrown ?? lenient.error)?.code);
    }), fuzzParams(300));
  }, fuzzTimeout(90_000));

  it("the wrong key opens nothing", async () => {
    await fc.assert(fc.asyncProperty(sessionArb.filter((s) => s.packets.length > 0), async ({ packets, blockCuts, readCuts }) => {
      const cap = await buildCapture(keys.publicKey, splitBlocks(encodePackets(packets), blockCuts));
      const r = await read(cap.file, readCuts, "lenient", otherKeys.privateKey);
      expect(r.thrown?.code).toBe(ErrorCode.WrongKey);
      expect(r.packets).toEqual([]);
    }), fuzzParams(50));
  }, fuzzTimeout(60_000));
});
