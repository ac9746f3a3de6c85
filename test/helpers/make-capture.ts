import { BlockSealer } from "../../lib/crypto/suite.js";
import { encodeHeader, type ExitData, type Pty } from "../../lib/format/header.js";
import { encodePacketInto, packetSize, type Packet } from "../../lib/format/packets.js";

export interface CaptureSpec {
  publicKey: Uint8Array;
  startedAt?: number;
  pty?: Pty | null;
  exit?: ExitData | null;
  packets: Packet[];
  /**
   * How the packet stream is cut into blocks: "per-packet", "large" (one block), or a list of
   * plaintext block sizes applied in turn (hostile layouts split packet headers across blocks).
   */
  layout?: "per-packet" | "large" | number[];
  /** data_size to declare; default: the true block-stream length. */
  dataSize?: number | "true";
  extra?: Record<string, unknown>;
}

/**
 * Writes a capture in memory for tests (independent of the recorder): header, then the packet
 * stream sealed in the requested block layout. Returns the file bytes and the offsets of each block.
 */
export async function makeCapture(spec: CaptureSpec): Promise<{ bytes: Buffer; blockOffsets: number[]; headerBytes: number }> {
  const sealer = await BlockSealer.create(spec.publicKey);
  const stream = Buffer.alloc(spec.packets.reduce((n, p) => n + packetSize(p.data.length), 0));
  const bounds: number[] = [0];
  let at = 0;
  for (const p of spec.packets) {
    at = encodePacketInto(stream, at, p.source, p.code, p.elapsedMicros, p.data);
    bounds.push(at);
  }
  const cuts: number[] = [];
  const layout = spec.layout ?? "per-packet";
  if (layout === "per-packet") cuts.push(...bounds.slice(1));
  else if (layout === "large") cuts.push(stream.length);
  else {
    let pos = 0;
    for (let i = 0; pos < stream.length; i++) {
      pos = Math.min(stream.length, pos + layout[i % layout.length]!);
      cuts.push(pos);
    }
  }
  const blocks: Buffer[] = [];
  let prev = 0;
  for (const c of cuts) {
    if (c === prev) continue;
    const sealed = await sealer.seal(stream.subarray(prev, c));
    const framed = Buffer.alloc(4 + sealed.length);
    framed.writeUInt32BE(sealed.length, 0);
    sealed.copy(framed, 4);
    blocks.push(framed);
    prev = c;
  }
  const streamBytes = blocks.reduce((n, b) => n + b.length, 0);
  const header = encodeHeader({
    startedAt: spec.startedAt ?? 1_773_273_918,
    dataSize: spec.dataSize === undefined || spec.dataSize === "true" ? streamBytes : spec.dataSize,
    encapsulatedKey: sealer.enc,
    pty: spec.pty ?? null,
    exit: spec.exit ?? null,
    extra: spec.extra,
  });
  const blockOffsets: number[] = [];
  let off = header.length;
  for (const b of blocks) { blockOffsets.push(off); off += b.length; }
  return { bytes: Buffer.concat([header, ...blocks]), blockOffsets, headerBytes: header.length };
}

/** A packet, for brevity in tests. */
export function pkt(source: 0 | 1, elapsedMicros: number, data: string | Uint8Array, code = 0): Packet {
  return { source, code, elapsedMicros, data: typeof data === "string" ? Buffer.from(data) : data };
}
