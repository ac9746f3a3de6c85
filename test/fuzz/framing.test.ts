import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ErrorCode, SshLogError } from "../../lib/errors.js";
import { CaptureFramer, truncationError, type FrameEvent } from "../../lib/format/framing.js";
import { DEFAULT_LIMITS, type ParseLimits } from "../../lib/format/limits.js";
import { chunkAt, expectTyped, fuzzParams, fuzzTimeout } from "./fuzz-config.js";

interface Run { events: Array<{ type: string; offset: number; index?: number; bytes: string }>; error: string | null; cut: unknown; maxHeld: number }

/** Feeds `chunks` to a framer; records what it emitted and the largest buffer it ever held. */
function frame(chunks: Uint8Array[], limits: ParseLimits = DEFAULT_LIMITS): Run {
  const f = new CaptureFramer("f.log", limits);
  const events: Run["events"] = [];
  let maxHeld = 0;
  const held = (): number => ((f as unknown as { part: Uint8Array | null }).part?.length ?? 0);
  const emit = (ev: FrameEvent): void => {
    const bytes = Buffer.from(ev.type === "header" ? ev.bytes : ev.data).toString("hex");
    events.push(ev.type === "header" ? { type: "header", offset: ev.offset, bytes } : { type: "block", offset: ev.offset, index: ev.index, bytes });
  };
  try {
    for (const c of chunks) {
      f.push(c, emit);
      maxHeld = Math.max(maxHeld, held());
    }
  } catch (err) {
    const e = expectTyped(err);
    return { events, error: `${e.code}@${e.offset}#${e.blockIndex}`, cut: null, maxHeld };
  }
  const cut = f.end();
  if (cut) {
    const e = truncationError("f.log", cut);
    expect([ErrorCode.Truncated, ErrorCode.EmptyFile]).toContain(e.code);
  }
  return { events, error: null, cut: cut ?? null, maxHeld };
}

const u32 = (n: number): Uint8Array => { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0, 0); return b; };

/** Byte strings shaped like captures: plausible lengths (and hostile ones) around random bodies. */
const captureLike = fc.array(
  fc.oneof(
    { weight: 4, arbitrary: fc.uint8Array({ maxLength: 80 }).map((b) => Buffer.concat([u32(b.length), b])) },
    { weight: 1, arbitrary: fc.tuple(fc.oneof(fc.constantFrom(0, 1, 15, 16, 17, 0xffffffff, 0x80000000, 2 ** 20, 2 ** 20 + 1, 64 << 20, (64 << 20) + 1), fc.nat()), fc.uint8Array({ maxLength: 40 })).map(([n, b]) => Buffer.concat([u32(n), b])) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 20 }) },
  ),
  { maxLength: 12 },
).map((parts) => Uint8Array.from(Buffer.concat(parts)));

describe("fuzz: block framing", () => {
  it("only typed errors, and the same events whatever the chunk sizes", () => {
    fc.assert(fc.property(captureLike, fc.array(fc.nat(), { maxLength: 20 }), (bytes, cuts) => {
      const whole = frame([bytes]);
      const chunked = frame(chunkAt(bytes, cuts));
      const oneByOne = frame(Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)));
      expect(chunked.events).toEqual(whole.events);
      expect(oneByOne.events).toEqual(whole.events);
      expect(chunked.error).toBe(whole.error);
      expect(chunked.cut).toEqual(whole.cut);
      expect(oneByOne.error).toBe(whole.error);
      expect(oneByOne.cut).toEqual(whole.cut);
    }), fuzzParams(1500));
  }, fuzzTimeout(60_000));

  it("never holds a buffer larger than its limits, whatever a length field claims", () => {
    const limits: ParseLimits = { maxHeaderBytes: 64, maxBlockBytes: 128, maxPacketBytes: 128 };
    fc.assert(fc.property(captureLike, fc.array(fc.nat(), { maxLength: 20 }), (bytes, cuts) => {
      const r = frame(chunkAt(bytes, cuts), limits);
      expect(r.maxHeld).toBeLessThanOrEqual(128);
      if (r.error) expect(r.error).toMatch(/^(ERR_BAD_HEADER|ERR_BLOCK_AUTH|ERR_LIMIT)@/);
    }), fuzzParams(1500));
  }, fuzzTimeout(60_000));

  it("a header or block claiming up to 4 GiB is refused before anything is allocated", () => {
    fc.assert(fc.property(fc.integer({ min: (64 << 20) + 1, max: 0xffffffff }), fc.boolean(), (claim, inBlock) => {
      const f = new CaptureFramer("f.log");
      const head = inBlock ? Buffer.concat([u32(4), Buffer.from("e30=")]) : Buffer.alloc(0);
      const before = process.memoryUsage().arrayBuffers;
      let err: SshLogError | null = null;
      try { f.push(Buffer.concat([head, u32(claim), Buffer.alloc(8)]), () => undefined); } catch (e) { err = expectTyped(e); }
      expect(err?.code).toBe(inBlock ? ErrorCode.Limit : ErrorCode.BadHeader);
      expect((f as unknown as { part: Uint8Array | null }).part).toBeNull();
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
    }), fuzzParams(200, 0.05));
  }, fuzzTimeout(30_000));
});
