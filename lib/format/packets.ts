import { BadPacketError, LimitError } from "../errors.js";
import { DEFAULT_LIMITS, PACKET_HEADER_BYTES, type ParseLimits } from "./limits.js";

/** Who sent a packet's data. */
export const Source = { Client: 0, Server: 1 } as const;
export type Source = (typeof Source)[keyof typeof Source];

/** The `code` field as ssh-log writes it: 0 for channel data, 1 for SSH extended data 1 (stderr). */
export const PacketCode = { Data: 0, Stderr: 1 } as const;

/** One packet of the plaintext stream: who sent what, and when. */
export interface Packet {
  source: Source;
  code: number;
  /** Microseconds since the session started. */
  elapsedMicros: number;
  data: Uint8Array;
}

/**
 * Splits the concatenated plaintext of the blocks into packets, whatever the block boundaries: a
 * packet may span blocks and a block may hold many. Only an incomplete packet is buffered; data of
 * a packet wholly inside one block is a view of that block.
 *
 * @example
 *   const p = new PacketParser("s.log");
 *   p.push(plaintext, (pkt) => out.push(pkt));
 *   p.pending   // bytes of a packet not yet complete
 */
export class PacketParser {
  private readonly head = new Uint8Array(4 + PACKET_HEADER_BYTES);
  private headHave = 0;
  private body: Uint8Array | null = null;
  private bodyHave = 0;
  private source: Source = 0;
  private code = 0;
  private elapsed = 0;
  /** Plaintext bytes consumed so far. */
  position = 0;

  constructor(private readonly file: string, private readonly limits: ParseLimits = DEFAULT_LIMITS) {}

  /** Bytes of an incomplete packet held back (0 at a packet boundary). */
  get pending(): number { return this.body ? this.headHave + this.bodyHave : this.headHave; }

  push(chunk: Uint8Array, emit: (p: Packet) => void): void {
    let i = 0;
    const n = chunk.length;
    const H = 4 + PACKET_HEADER_BYTES;
    while (i < n) {
      if (this.body === null) {
        let total: number;
        let dataLen: number;
        if (this.headHave === 0 && n - i >= H) {
          total = readU32(chunk, i);
          this.readHeader(chunk, i, total);
          i += H;
        } else {
          const take = Math.min(H - this.headHave, n - i);
          this.head.set(chunk.subarray(i, i + take), this.headHave);
          this.headHave += take;
          i += take;
          if (this.headHave < H) break;
          total = readU32(this.head, 0);
          this.readHeader(this.head, 0, total);
        }
        this.headHave = 0;
        dataLen = total - PACKET_HEADER_BYTES;
        if (n - i >= dataLen) {
          emit({ source: this.source, code: this.code, elapsedMicros: this.elapsed, data: chunk.subarray(i, i + dataLen) });
          i += dataLen;
        } else {
          this.body = new Uint8Array(dataLen);
          this.bodyHave = 0;
          this.headHave = H; // counted in `pending` until the body completes
        }
        continue;
      }
      const body = this.body;
      const take = Math.min(body.length - this.bodyHave, n - i);
      body.set(chunk.subarray(i, i + take), this.bodyHave);
      this.bodyHave += take;
      i += take;
      if (this.bodyHave === body.length) {
        this.body = null;
        this.headHave = 0;
        emit({ source: this.source, code: this.code, elapsedMicros: this.elapsed, data: body });
      }
    }
    this.position += n;
  }

  private readHeader(b: Uint8Array, at: number, total: number): void {
    const offset = this.position; // plaintext offset, approximate to the chunk: good enough to locate
    if (total < PACKET_HEADER_BYTES) {
      throw new BadPacketError(`${this.file}: a decrypted packet claims ${total} bytes, fewer than its own 13-byte header; the file was not written by a conforming recorder.`, { file: this.file, offset });
    }
    if (total - PACKET_HEADER_BYTES > this.limits.maxPacketBytes) {
      throw new LimitError(`${this.file}: a decrypted packet claims ${total} bytes, more than the limit of ${this.limits.maxPacketBytes}; the file was not written by a conforming recorder.`, { file: this.file, offset });
    }
    const source = b[at + 4]!;
    if (source > 1) {
      throw new BadPacketError(`${this.file}: a decrypted packet has source ${source}, neither client (0) nor server (1); the file was not written by a conforming recorder.`, { file: this.file, offset });
    }
    this.source = source as Source;
    this.code = readU32(b, at + 5);
    const hi = readU32(b, at + 9);
    const lo = readU32(b, at + 13);
    if (hi >= 0x200000) {
      throw new BadPacketError(`${this.file}: a decrypted packet's time is beyond 285 years; the file was not written by a conforming recorder.`, { file: this.file, offset });
    }
    this.elapsed = hi * 0x1_0000_0000 + lo;
  }
}

function readU32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/**
 * Encodes one packet (length, source, code, elapsed, data) into `out` at `at`; returns the new offset.
 *
 * @example encodePacketInto(buf, 0, 1, 0, 1500, data)
 */
export function encodePacketInto(out: Uint8Array, at: number, source: Source, code: number, elapsedMicros: number, data: Uint8Array): number {
  const total = PACKET_HEADER_BYTES + data.length;
  writeU32(out, at, total);
  out[at + 4] = source;
  writeU32(out, at + 5, code);
  writeU32(out, at + 9, Math.floor(elapsedMicros / 0x1_0000_0000));
  writeU32(out, at + 13, elapsedMicros >>> 0);
  out.set(data, at + 17);
  return at + 17 + data.length;
}

function writeU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24; b[at + 1] = (v >>> 16) & 0xff; b[at + 2] = (v >>> 8) & 0xff; b[at + 3] = v & 0xff;
}

/** Bytes one packet takes on the wire, with its length field. */
export function packetSize(dataLength: number): number {
  return 4 + PACKET_HEADER_BYTES + dataLength;
}
