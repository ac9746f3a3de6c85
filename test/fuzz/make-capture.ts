import fc from "fast-check";
import { BlockSealer } from "../../lib/crypto/suite.js";
import { encodeHeader, type CaptureHeader } from "../../lib/format/header.js";
import { encodePacketInto, packetSize, type Packet, type Source } from "../../lib/format/packets.js";

/** A packet list with non-decreasing times, as a recorder writes it. */
export const packetsArb: fc.Arbitrary<Packet[]> = fc
  .array(
    fc.record({
      source: fc.constantFrom<Source>(0, 1),
      code: fc.oneof(fc.constantFrom(0, 1), fc.integer({ min: 0, max: 0xffffffff })),
      gap: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2_000_000 }), fc.integer({ min: 0, max: 2 ** 40 })),
      data: fc.uint8Array({ maxLength: 300 }),
    }),
    { maxLength: 25 },
  )
  .map((list) => {
    let t = 0;
    return list.map(({ source, code, gap, data }) => {
      t += gap;
      return { source, code, elapsedMicros: t, data };
    });
  });

/** The plaintext stream of a packet list. */
export function encodePackets(packets: Packet[]): Uint8Array {
  const out = new Uint8Array(packets.reduce((n, p) => n + packetSize(p.data.length), 0));
  let at = 0;
  for (const p of packets) at = encodePacketInto(out, at, p.source, p.code, p.elapsedMicros, p.data);
  return out;
}

/** Cuts `plain` into non-empty blocks at arbitrary points (packet headers split on purpose). */
export function splitBlocks(plain: Uint8Array, cuts: number[]): Uint8Array[] {
  if (plain.length === 0) return [];
  const points = [...new Set(cuts.map((c) => 1 + (c % plain.length)))].filter((p) => p < plain.length).sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...points, plain.length]) {
    out.push(plain.subarray(prev, p));
    prev = p;
  }
  return out;
}

/** A capture file's parts, kept apart so that tests can damage one of them. */
export interface BuiltCapture {
  header: Buffer;
  /** Each sealed block with its u32 length prefix. */
  blocks: Buffer[];
  file: Buffer;
}

/** Seals `blocks` for `publicKey` into a capture (the writer side, as a recorder does it). */
export async function buildCapture(publicKey: Uint8Array, blocks: Uint8Array[], meta: Partial<Pick<CaptureHeader, "startedAt" | "pty" | "exit" | "dataSize">> = {}): Promise<BuiltCapture> {
  const sealer = await BlockSealer.create(publicKey);
  const sealed: Buffer[] = [];
  for (const b of blocks) {
    const ct = await sealer.seal(b);
    const framed = Buffer.alloc(4 + ct.length);
    framed.writeUInt32BE(ct.length, 0);
    ct.copy(framed, 4);
    sealed.push(framed);
  }
  const dataSize = meta.dataSize !== undefined ? meta.dataSize : sealed.reduce((n, b) => n + b.length, 0);
  const header = encodeHeader({
    startedAt: meta.startedAt ?? 1_773_273_918,
    dataSize,
    encapsulatedKey: sealer.enc,
    pty: meta.pty ?? null,
    exit: meta.exit ?? null,
  });
  return { header, blocks: sealed, file: Buffer.concat([header, ...sealed]) };
}

/** True when `got` is the first got.length packets of `want`, byte for byte. */
export function isPrefixOf(got: Packet[], want: Packet[]): boolean {
  if (got.length > want.length) return false;
  return got.every((p, i) => {
    const w = want[i]!;
    return p.source === w.source && p.code === w.code && p.elapsedMicros === w.elapsedMicros && Buffer.from(p.data).equals(Buffer.from(w.data));
  });
}
