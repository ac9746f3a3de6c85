import { readFileSync } from "node:fs";
import { BlockOpener } from "../../lib/crypto/suite.js";
import type { Packet } from "../../lib/format/packets.js";

/**
 * Reads a capture's packets the way ssh-log-cli's reader does (FORMAT.md, "What a writer must
 * respect"), to show that a file ssh-log writes is read correctly by it, not just by our reader:
 * - a read call returns the bytes left over from the last block plus at most one newly decrypted
 *   block; a block that decrypts to nothing (or the end of the file) makes the read return what it has;
 * - a packet's 4-byte length is taken with ONE such read: fewer than 4 bytes leave zeros behind
 *   (a wrong length), none means the end of the data;
 * - the packet body is then read exactly, over as many reads as it needs.
 * Throws where the reference would fail. The decryption itself is ours (the same HPKE suite).
 */
export async function referenceDecode(path: string, privateKey: Uint8Array): Promise<Packet[]> {
  const file = readFileSync(path);
  const headerLen = file.readUInt32BE(0);
  const header = JSON.parse(Buffer.from(file.subarray(4, 4 + headerLen).toString("latin1"), "base64").toString("utf8")) as Record<string, unknown>;
  checkReferenceHeader(header);
  const opener = await BlockOpener.create(privateKey, Uint8Array.from(Buffer.from(header.encapsulated_key as string, "hex")));
  let pos = 4 + headerLen;
  let first = true;
  let pending: Buffer = Buffer.alloc(0);

  const decryptBlock = async (): Promise<Buffer> => {
    if (pos >= file.length) return Buffer.alloc(0); // the length read returned 0: no more blocks
    if (pos + 4 > file.length) throw new Error("reference: the file ends inside a block length");
    const len = file.readUInt32BE(pos);
    if (pos + 4 + len > file.length) throw new Error("reference: the file ends inside a block");
    const sealed = file.subarray(pos + 4, pos + 4 + len);
    pos += 4 + len;
    const plain = first ? await opener.openFirst(sealed) : opener.open(sealed);
    first = false;
    if (plain === null) throw new Error("reference: a block does not decrypt");
    return plain;
  };
  const read = async (n: number): Promise<Buffer> => {
    const fromPending = pending.subarray(0, n);
    pending = pending.subarray(fromPending.length);
    if (fromPending.length === n) return Buffer.from(fromPending);
    const block = await decryptBlock();
    const more = block.subarray(0, n - fromPending.length);
    pending = block.subarray(more.length);
    return Buffer.concat([fromPending, more]);
  };
  const readExact = async (n: number): Promise<Buffer> => {
    const parts: Buffer[] = [];
    let have = 0;
    while (have < n) {
      const got = await read(n - have);
      if (got.length === 0) throw new Error("reference: unexpected end of data inside a packet");
      parts.push(got);
      have += got.length;
    }
    return Buffer.concat(parts);
  };

  const packets: Packet[] = [];
  for (;;) {
    const lenBytes = await read(4);
    if (lenBytes.length === 0) return packets;
    const total = Buffer.concat([lenBytes, Buffer.alloc(4 - lenBytes.length)]).readUInt32BE(0);
    if (total < 13) throw new Error(`reference: a packet claims ${total} bytes`);
    const body = await readExact(total);
    const source = body[0]!;
    if (source > 1) throw new Error(`reference: unexpected data source ${source}`);
    packets.push({ source: source as 0 | 1, code: body.readUInt32BE(1), elapsedMicros: Number(body.readBigUInt64BE(5)), data: Uint8Array.from(body.subarray(13)) });
  }
}

/** Null when ssh-log-cli's reader (emulated) sees exactly `packets`; else what differs. */
export async function referenceMismatch(path: string, privateKey: Uint8Array, packets: Packet[]): Promise<string | null> {
  let ref: Packet[];
  try {
    ref = await referenceDecode(path, privateKey);
  } catch (err) {
    return (err as Error).message;
  }
  if (ref.length !== packets.length) return `ssh-log-cli would read ${ref.length} packets, ssh-log ${packets.length}`;
  for (let i = 0; i < ref.length; i++) {
    const a = ref[i]!;
    const b = packets[i]!;
    if (a.source !== b.source || a.code !== b.code || a.elapsedMicros !== b.elapsedMicros || !Buffer.from(a.data).equals(Buffer.from(b.data))) return `packet ${i} differs`;
  }
  return null;
}

const isU32 = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffff_ffff;
const isU64 = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;
const optString = (v: unknown): boolean => v === null || v === undefined || typeof v === "string";

/**
 * Throws unless the header has the types ssh-log-cli's metadata struct demands (serde, unknown
 * fields ignored): started_at and data_size unsigned (data_size required), encapsulated_key a
 * string, pty null or {term, width u32, height u32, modes [[string, u32]]}, exit_data null or
 * {timestamp, status u32 or null, signal, core_dumped (optional), error_msg}.
 */
function checkReferenceHeader(h: Record<string, unknown>): void {
  const bad = (what: string): never => { throw new Error(`reference: the header's ${what} would not deserialize`); };
  if (!isU64(h.started_at)) bad("started_at");
  if (!isU64(h.data_size)) bad("data_size");
  if (typeof h.encapsulated_key !== "string") bad("encapsulated_key");
  if (h.pty !== null && h.pty !== undefined) {
    const p = h.pty as Record<string, unknown>;
    if (!optString(p.term) || !isU32(p.width) || !isU32(p.height) || !Array.isArray(p.modes)) bad("pty");
    for (const m of p.modes as unknown[]) if (!Array.isArray(m) || m.length !== 2 || typeof m[0] !== "string" || !isU32(m[1])) bad("pty.modes");
  }
  if (h.exit_data !== null && h.exit_data !== undefined) {
    const e = h.exit_data as Record<string, unknown>;
    if (!isU64(e.timestamp) || !(e.status === null || e.status === undefined || isU32(e.status)) || !optString(e.signal) || !optString(e.error_msg)) bad("exit_data");
    if (e.core_dumped !== undefined && typeof e.core_dumped !== "boolean") bad("exit_data.core_dumped");
  }
}
