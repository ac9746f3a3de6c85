import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../lib/errors.js";
import type { ParseLimits } from "../../lib/format/limits.js";
import { PacketParser, type Packet } from "../../lib/format/packets.js";
import { chunkAt, expectTyped, fuzzParams, fuzzTimeout } from "./fuzz-config.js";
import { encodePackets, packetsArb } from "./make-capture.js";

const show = (p: Packet): string => `${p.source}/${p.code}/${p.elapsedMicros}/${Buffer.from(p.data).toString("hex")}`;

/** Parses `chunks`; the packets as strings (copied at once: views must not be trusted later), the error code, the pending bytes. */
function parse(chunks: Uint8Array[], limits?: ParseLimits): { packets: string[]; error: string | null; pending: number; maxHeld: number } {
  const p = new PacketParser("f.log", limits);
  const packets: string[] = [];
  let maxHeld = 0;
  try {
    for (const c of chunks) {
      p.push(c, (pkt) => packets.push(show(pkt)));
      maxHeld = Math.max(maxHeld, (p as unknown as { body: Uint8Array | null }).body?.length ?? 0);
    }
  } catch (err) {
    return { packets, error: expectTyped(err).code, pending: -1, maxHeld };
  }
  return { packets, error: null, pending: p.pending, maxHeld };
}

describe("fuzz: packet stream", () => {
  it("round-trips any packet list, whatever the block boundaries", () => {
    fc.assert(fc.property(packetsArb, fc.array(fc.nat(), { maxLength: 30 }), (packets, cuts) => {
      const plain = encodePackets(packets);
      const r = parse(chunkAt(plain, cuts));
      expect(r.error).toBeNull();
      expect(r.pending).toBe(0);
      expect(r.packets).toEqual(packets.map(show));
    }), fuzzParams(1000));
  }, fuzzTimeout(60_000));

  it("arbitrary plaintext: only typed errors, chunking never matters, nothing held past the limit", () => {
    const limits: ParseLimits = { maxHeaderBytes: 1 << 20, maxBlockBytes: 1 << 20, maxPacketBytes: 200 };
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.tuple(packetsArb, fc.uint8Array({ maxLength: 40 }), fc.nat()).map(([ps, junk, at]) => {
        const b = Buffer.from(encodePackets(ps));
        const i = b.length === 0 ? 0 : at % b.length;
        return Uint8Array.from(Buffer.concat([b.subarray(0, i), junk, b.subarray(i)]));
      }),
    );
    fc.assert(fc.property(bytes, fc.array(fc.nat(), { maxLength: 20 }), (b, cuts) => {
      const whole = parse([b], limits);
      const chunked = parse(chunkAt(b, cuts), limits);
      expect(chunked.packets).toEqual(whole.packets);
      expect(chunked.error).toBe(whole.error);
      expect(chunked.maxHeld).toBeLessThanOrEqual(200);
      if (whole.error) expect([ErrorCode.BadPacket, ErrorCode.Limit]).toContain(whole.error);
    }), fuzzParams(1500));
  }, fuzzTimeout(60_000));

  it("a packet claiming 4 GiB is refused without allocating it", () => {
    fc.assert(fc.property(fc.integer({ min: (64 << 20) + 14, max: 0xffffffff }), (claim) => {
      const head = Buffer.alloc(17 + 8);
      head.writeUInt32BE(claim, 0);
      const r = parse([head]);
      expect(r.error).toBe(ErrorCode.Limit);
      expect(r.maxHeld).toBe(0);
    }), fuzzParams(200, 0.05));
  }, fuzzTimeout(30_000));
});
