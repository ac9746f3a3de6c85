import { createCipheriv, createDecipheriv } from "node:crypto";
import { closeSync, fsyncSync, openSync, readSync, writeSync } from "node:fs";
import { open } from "node:fs/promises";
import { createSuite, exactBuffer } from "../../lib/crypto/suite.js";
import { parseHeader } from "../../lib/format/header.js";
import { GatherFile, gather } from "../../lib/outputs/zip-store.js";

const TAG = 16;

/** HPKE's ComputeNonce for sequence `seq` into `out`. */
function nonceFor(base: Buffer, seq: number, out: Buffer): Buffer {
  base.copy(out);
  let s = seq;
  for (let i = 11; s > 0 && i >= 4; i--) { out[i] = out[i]! ^ (s & 0xff); s = Math.floor(s / 256); }
  return out;
}

/**
 * The AEAD key and base nonce of a capture: HPKE's key schedule, run once, through @hpke/core.
 *
 * @example const { key, baseNonce } = await captureKeys(sk, header.encapsulatedKey, block0);
 */
export async function captureKeys(privateKey: Uint8Array, enc: Uint8Array, block0: Uint8Array): Promise<{ key: Buffer; baseNonce: Buffer }> {
  const { suite, aead } = createSuite();
  const recipientKey = await suite.kem.importKey("raw", exactBuffer(privateKey), false);
  const ctx = await suite.createRecipientContext({ recipientKey, enc: exactBuffer(enc) });
  await ctx.open(exactBuffer(block0));
  const c = aead.lastContext!;
  return { key: c.key, baseNonce: c.firstNonce! };
}

/** What a baseline pass did. */
export interface BaselineResult { blocks: number; plainBytes: number }

/**
 * The bare decrypt loop the targets are measured against: synchronous reads of `chunkBytes`,
 * length prefixes parsed in place, every block opened with node:crypto's createDecipheriv and
 * HPKE's nonces, and the plaintext written the way the fastest writer here does it, through the
 * zip's own GatherFile: two alternating 1 MiB buffers with one write in flight while the next
 * fills (plain writeSync stalled 2-3x longer on this disk, which would flatter ssh-log). No framing
 * objects, no packet parsing, no CRC, no zip: the physical work and nothing else.
 *
 * @example const { blocks } = await baselineDecrypt("large.log", sk, "/tmp/out.bin");
 */
export async function baselineDecrypt(path: string, privateKey: Uint8Array, outPath: string, chunkBytes = 4 << 20): Promise<BaselineResult> {
  const fd = openSync(path, "r");
  const out = await open(outPath, "w");
  try {
    let buf = Buffer.allocUnsafe(chunkBytes);
    let have = readSync(fd, buf, 0, buf.length, null);
    let pos = 0;
    // Makes `n` bytes available at `pos`, moving the rest to the front and reading more.
    const need = (n: number): boolean => {
      if (have - pos >= n) return true;
      if (n > buf.length) { const b = Buffer.allocUnsafe(n); buf.copy(b, 0, pos, have); buf = b; } else buf.copy(buf, 0, pos, have);
      have -= pos; pos = 0;
      while (have < n) { const r = readSync(fd, buf, have, buf.length - have, null); if (r === 0) return false; have += r; }
      return true;
    };
    if (!need(4)) throw new Error("empty capture");
    const hlen = buf.readUInt32BE(pos); pos += 4;
    if (!need(hlen)) throw new Error("cut header");
    const header = parseHeader(buf.subarray(pos, pos + hlen), path); pos += hlen;
    const nonce = Buffer.alloc(12);
    let keys: { key: Buffer; baseNonce: Buffer } | null = null;
    let seq = 0;
    let plainBytes = 0;
    const gathered = new GatherFile(out);
    for (;;) {
      if (!need(4)) break;
      const len = buf.readUInt32BE(pos); pos += 4;
      if (!need(len)) throw new Error("cut block");
      const sealed = buf.subarray(pos, pos + len); pos += len;
      keys ??= await captureKeys(privateKey, header.encapsulatedKey, sealed);
      const d = createDecipheriv("chacha20-poly1305", keys.key, nonceFor(keys.baseNonce, seq++, nonce), { authTagLength: TAG });
      d.setAuthTag(sealed.subarray(len - TAG));
      const plain = d.update(sealed.subarray(0, len - TAG));
      d.final();
      plainBytes += plain.length;
      const full = gather(gathered, plain, null);
      if (full) await full;
    }
    await gathered.drain();
    return { blocks: seq, plainBytes };
  } finally {
    closeSync(fd);
    await out.close();
  }
}

/**
 * The sealing baseline for the recorder: `count` plaintexts of `size` bytes sealed with
 * createCipheriv and HPKE's nonces, each written with its length prefix, gathered into 1 MiB writes,
 * and fsynced at the end as the recorder does at close.
 *
 * @example baselineSeal(key, nonce, "/tmp/o", 1000, 65536)
 */
export function baselineSeal(key: Buffer, baseNonce: Buffer, outPath: string, count: number, size: number): number {
  const out = openSync(outPath, "w");
  const plain = Buffer.alloc(size, 0x61);
  const gather = Buffer.allocUnsafe(1 << 20);
  let gathered = 0;
  const nonce = Buffer.alloc(12);
  let total = 0;
  try {
    for (let seq = 0; seq < count; seq++) {
      const c = createCipheriv("chacha20-poly1305", key, nonceFor(baseNonce, seq, nonce), { authTagLength: TAG });
      const head = c.update(plain);
      c.final();
      const tag = c.getAuthTag();
      const n = 4 + head.length + TAG;
      if (gathered + n > gather.length) { writeSync(out, gather, 0, gathered); gathered = 0; }
      if (n > gather.length) {
        const lp = Buffer.allocUnsafe(4); lp.writeUInt32BE(head.length + TAG, 0);
        writeSync(out, lp); writeSync(out, head); writeSync(out, tag);
      } else {
        gather.writeUInt32BE(head.length + TAG, gathered);
        head.copy(gather, gathered + 4);
        tag.copy(gather, gathered + 4 + head.length);
        gathered += n;
      }
      total += n;
    }
    if (gathered > 0) writeSync(out, gather, 0, gathered);
    // A recording must survive a crash of the machine: the recorder fsyncs at close, so does this.
    fsyncSync(out);
  } finally {
    closeSync(out);
  }
  return total;
}

/**
 * The same bare loop with hpke-js's defaults end to end: @hpke/core's recipient context with the
 * pure-JavaScript @hpke/chacha20poly1305 AEAD, one awaited `open` per block (reported for
 * comparison, not judged).
 *
 * @example const { blocks } = await hpkeJsDecrypt("large.log", sk, "/tmp/out.bin");
 */
export async function hpkeJsDecrypt(path: string, privateKey: Uint8Array, outPath: string): Promise<BaselineResult> {
  const { CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } = await import("@hpke/core");
  const { Chacha20Poly1305 } = await import("@hpke/chacha20poly1305");
  const data = await (await import("node:fs/promises")).readFile(path);
  const out = openSync(outPath, "w");
  try {
    let pos = 0;
    const hlen = data.readUInt32BE(pos); pos += 4;
    const header = parseHeader(data.subarray(pos, pos + hlen), path); pos += hlen;
    const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Chacha20Poly1305() });
    const ctx = await suite.createRecipientContext({ recipientKey: await suite.kem.importKey("raw", exactBuffer(privateKey), false), enc: exactBuffer(header.encapsulatedKey) });
    let blocks = 0;
    let plainBytes = 0;
    while (pos + 4 <= data.length) {
      const len = data.readUInt32BE(pos); pos += 4;
      const plain = new Uint8Array(await ctx.open(exactBuffer(data.subarray(pos, pos + len))));
      pos += len;
      blocks++;
      plainBytes += plain.length;
      writeSync(out, plain);
    }
    return { blocks, plainBytes };
  } finally {
    closeSync(out);
  }
}
