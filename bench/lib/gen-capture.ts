import { closeSync, openSync, renameSync, writeSync } from "node:fs";
import { BlockSealer } from "../../lib/crypto/suite.js";
import { encodeHeader } from "../../lib/format/header.js";
import { encodePacketInto, packetSize, Source } from "../../lib/format/packets.js";

/** The shape of a generated capture. */
export interface CaptureSpec {
  /** Plaintext bytes of packet data to write (the loop stops at the first packet past it). */
  dataBytes: number;
  /** Largest plaintext of one block; packets are packed whole into blocks up to this size. */
  blockBytes: number;
  /** Data size of packet i (deterministic, so every run of the bench reads the same file). */
  packetData: (i: number) => number;
  /** Source of packet i. */
  source: (i: number) => 0 | 1;
  /** Microseconds between packet i-1 and packet i. */
  gapMicros: (i: number) => number;
  /** One packet per block, whatever blockBytes says (a naive recorder). */
  blockPerPacket: boolean;
  pty: boolean;
  /** Stop after this many packets, whatever dataBytes says. */
  maxPackets?: number;
  /** The bytes packet data is cut from, cyclically (default: printable noise without newlines). */
  text?: Buffer;
  /** When given, client packets are cut from this instead, so the server's stream stays contiguous. */
  clientText?: Buffer;
}

/** What was written. */
export interface CaptureStats { path: string; fileBytes: number; blocks: number; packets: number; dataBytes: number; serverPackets: number }

/** A fixed pseudo-random byte pattern: data that is not all zeros, at memcpy speed. */
function pattern(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = 0x9e3779b9;
  for (let i = 0; i < n; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; b[i] = 0x20 + ((x >>> 0) % 95); }
  return b;
}

/**
 * Writes an encrypted capture as a recorder would (whole packets per block, times never
 * decreasing), to `path` via a temporary name, so a cut-short run never leaves a bad input behind.
 *
 * @example await generateCapture(".bench/large.log", publicKey, spec)
 */
export async function generateCapture(path: string, publicKey: Uint8Array, spec: CaptureSpec): Promise<CaptureStats> {
  const sealer = await BlockSealer.create(publicKey);
  const startedAt = 1_773_273_918;
  const pty = spec.pty ? { term: "xterm-256color", width: 120, height: 40, modes: [["ECHO", 1]] as [string, number][] } : null;
  const exit = { timestamp: startedAt + 3600, status: 0, signal: null, coreDumped: false, errorMessage: null };
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w");
  const src = spec.text ?? pattern(1 << 20);
  const out = Buffer.allocUnsafe(8 << 20);
  let outLen = 0;
  const flush = (): void => { if (outLen > 0) { writeSync(fd, out, 0, outLen); outLen = 0; } };
  const emit = (bytes: Uint8Array): void => {
    if (outLen + bytes.length > out.length) flush();
    if (bytes.length > out.length) { writeSync(fd, bytes); return; }
    out.set(bytes, outLen);
    outLen += bytes.length;
  };
  // The header is written last (data_size is known then); reserve its room now.
  const headerReserve = 1024;
  writeSync(fd, Buffer.alloc(4 + headerReserve));
  let fileBytes = 4 + headerReserve;
  const plain = Buffer.allocUnsafe(spec.blockBytes);
  let plainLen = 0;
  let blocks = 0;
  const lenBuf = Buffer.allocUnsafe(4);
  const sealBlock = async (): Promise<void> => {
    if (plainLen === 0) return;
    const body = plain.subarray(0, plainLen);
    const sealed = sealer.ready ? sealer.sealSync(body) : await sealer.seal(body);
    lenBuf.writeUInt32BE(sealed.length, 0);
    emit(lenBuf);
    emit(sealed);
    fileBytes += 4 + sealed.length;
    blocks++;
    plainLen = 0;
  };
  let elapsed = 0;
  let packets = 0;
  let serverPackets = 0;
  let data = 0;
  let at = 0;
  let clientAt = 0;
  const maxPackets = spec.maxPackets ?? Number.POSITIVE_INFINITY;
  for (let i = 0; data < spec.dataBytes && i < maxPackets; i++) {
    const source = spec.source(i);
    const own = source === Source.Client && spec.clientText !== undefined;
    const from = own ? spec.clientText! : src;
    const n = Math.min(spec.packetData(i), spec.blockBytes - 17, from.length);
    elapsed += spec.gapMicros(i);
    const start = own ? clientAt : at;
    // The text is cyclic: a packet at its end continues at its start, so no sequence is cut.
    const piece = start + n <= from.length ? from.subarray(start, start + n) : Buffer.concat([from.subarray(start), from.subarray(0, start + n - from.length)]);
    const size = packetSize(n);
    if (spec.blockPerPacket || plainLen + size > spec.blockBytes) await sealBlock();
    plainLen = encodePacketInto(plain, plainLen, source, 0, elapsed, piece);
    if (own) clientAt = (start + n) % from.length; else at = (start + n) % from.length;
    data += n;
    packets++;
    if (source === Source.Server) serverPackets++;
  }
  await sealBlock();
  flush();
  const header = encodeHeader({ startedAt, dataSize: fileBytes - 4 - headerReserve, encapsulatedKey: sealer.enc, pty, exit }, headerReserve);
  writeSync(fd, header, 0, header.length, 0);
  closeSync(fd);
  renameSync(tmp, path);
  return { path, fileBytes, blocks, packets, dataBytes: data, serverPackets };
}
