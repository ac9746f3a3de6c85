import { readFileSync } from "node:fs";
import { BlockOpener } from "../../lib/crypto/suite.js";
import { CaptureFramer, type FrameEvent } from "../../lib/format/framing.js";
import { type CaptureHeader, parseHeader } from "../../lib/format/header.js";
import { type Packet, PacketParser } from "../../lib/format/packets.js";

export interface ReadRecording {
  header: CaptureHeader;
  headerBytes: number;
  /** Plaintext length of each block. */
  blockSizes: number[];
  packets: Packet[];
  /** Bytes after the last whole block (a cut inside a block or its length prefix). */
  trailingBytes: number;
  /** Broken writer rules ("What a writer must respect"), in words; empty when the file obeys them. */
  violations: string[];
}

/**
 * Reads a capture block by block and checks the writer rules the reference decoder depends on:
 * no empty block, whole packets per block, elapsed times never decreasing. Throws when a block
 * does not open (a wrong key or a damaged file).
 */
export async function readRecording(path: string, privateKey: Uint8Array): Promise<ReadRecording> {
  const bytes = readFileSync(path);
  const framer = new CaptureFramer(path);
  const events: FrameEvent[] = [];
  framer.push(bytes, (ev) => events.push(ev));
  const head = events[0];
  if (!head || head.type !== "header") throw new Error(`${path}: no header`);
  const header = parseHeader(head.bytes, path);
  const opener = await BlockOpener.create(privateKey, header.encapsulatedKey);
  const parser = new PacketParser(path);
  const packets: Packet[] = [];
  const blockSizes: number[] = [];
  const violations: string[] = [];
  let last = 0;
  for (const ev of events.slice(1)) {
    if (ev.type !== "block") continue;
    const plain = ev.index === 0 ? await opener.openFirst(ev.data) : opener.open(ev.data);
    if (plain === null) throw new Error(`${path}: block ${ev.index} does not open`);
    if (plain.length === 0) violations.push(`block ${ev.index} is empty`);
    blockSizes.push(plain.length);
    parser.push(Uint8Array.from(plain), (p) => {
      if (p.elapsedMicros < last) violations.push(`packet ${packets.length} goes back in time (${p.elapsedMicros} < ${last})`);
      last = p.elapsedMicros;
      packets.push({ ...p, data: Uint8Array.from(p.data) });
    });
    if (parser.pending !== 0) violations.push(`block ${ev.index} ends inside a packet`);
  }
  const lastBlock = events.filter((e) => e.type === "block").at(-1);
  const end = lastBlock && lastBlock.type === "block" ? lastBlock.offset + 4 + lastBlock.data.length : head.length;
  return { header, headerBytes: head.length, blockSizes, packets, trailingBytes: bytes.length - end, violations };
}

/** The data of every packet from one source (and code, when given), concatenated. */
export function dataOf(packets: Packet[], source: 0 | 1, code?: number): Buffer {
  return Buffer.concat(packets.filter((p) => p.source === source && (code === undefined || p.code === code)).map((p) => p.data));
}
