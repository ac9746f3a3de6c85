import { NativeChaCha20Poly1305Context, NONCE_BYTES, TAG_BYTES } from "./aead.js";
import { SMALL_AEAD_AVAILABLE, SmallChaCha20Poly1305 } from "./chacha-small.js";
import { recipientKeys } from "./hpke-receiver.js";
import { X25519_KEY_BYTES } from "./keys.js";

/**
 * Sealed blocks up to this many bytes open in JavaScript (chacha-small.ts): below it one
 * node:crypto call (~4 us here, whatever the size) costs more than the whole JavaScript open;
 * measured crossover on this machine between 512 and 1024 bytes (see BENCHMARKS.md).
 */
export const SMALL_BLOCK_MAX = 512;
/** Plaintexts of small blocks are carved out of shared slabs of this size: one allocation per slab. */
const SLAB_BYTES = 64 << 10;
/**
 * Small blocks opened natively before the JavaScript path takes over: until V8 has optimised it,
 * the JavaScript AEAD runs interpreted at several times node:crypto's cost, so a short capture
 * (the common case at a terminal) is faster without it; a long one-keystroke-per-block capture
 * is dominated by what comes after.
 */
const NATIVE_FIRST_SMALL_BLOCKS = 1024;

/**
 * HPKE's ComputeNonce: base_nonce XOR the sequence number, big-endian in the last 8 bytes.
 *
 * @example computeNonce(baseNonce, 1, Buffer.alloc(12))   // the nonce of block 1
 */
export function computeNonce(base: Buffer, seq: number, out: Buffer): Buffer {
  base.copy(out);
  let s = seq;
  for (let i = NONCE_BYTES - 1; s > 0 && i >= NONCE_BYTES - 8; i--) {
    out[i] = out[i]! ^ (s & 0xff);
    s = Math.floor(s / 256);
  }
  return out;
}

/**
 * Opens a capture's blocks in order: RFC 9180's Decap and key schedule (hpke-receiver.ts, checked
 * against the RFC's vectors), then every block synchronously with HPKE's nonce sequence: node:crypto
 * for large blocks, chacha-small.ts for small ones. Block 0 failing to open means the wrong key.
 *
 * @example
 *   const opener = await BlockOpener.create(privateKey, enc);
 *   const first = await opener.openFirst(block0);   // null: wrong key
 *   const next = opener.open(block1);               // null: altered
 */
export class BlockOpener {
  private aead: NativeChaCha20Poly1305Context | null = null;
  private small: SmallChaCha20Poly1305 | null = null;
  private slab: Buffer = Buffer.alloc(0);
  private slabUsed = 0;
  private nativeFirst = NATIVE_FIRST_SMALL_BLOCKS;
  private readonly nonce = Buffer.alloc(NONCE_BYTES);
  /** Sequence number of the next block to open. */
  seq = 0;

  private constructor(private readonly key: Buffer, private readonly baseNonce: Buffer) {}

  static async create(privateKey: Uint8Array, enc: Uint8Array): Promise<BlockOpener> {
    if (privateKey.length !== X25519_KEY_BYTES) throw new RangeError("an X25519 private key is 32 bytes");
    const { key, baseNonce } = recipientKeys(privateKey, enc);
    return new BlockOpener(key, baseNonce);
  }

  /** Opens block 0; null when it does not authenticate (the wrong key). */
  async openFirst(sealed: Uint8Array): Promise<Buffer | null> {
    const aead = new NativeChaCha20Poly1305Context(this.key);
    const plain = aead.openSync(computeNonce(this.baseNonce, 0, this.nonce), sealed);
    if (plain === null) return null;
    this.aead = aead;
    if (SMALL_AEAD_AVAILABLE) this.small = new SmallChaCha20Poly1305(this.key);
    this.seq = 1;
    return plain;
  }

  /** Opens the next block after block 0; null when it does not authenticate. */
  open(sealed: Uint8Array): Buffer | null {
    if (this.aead === null) throw new Error("openFirst must succeed before open");
    const nonce = computeNonce(this.baseNonce, this.seq, this.nonce);
    if (this.small !== null && sealed.length <= SMALL_BLOCK_MAX && (this.nativeFirst === 0 || --this.nativeFirst < 0)) {
      if (sealed.length < TAG_BYTES) return null;
      const n = sealed.length - TAG_BYTES;
      if (this.slabUsed + n > this.slab.length) { this.slab = Buffer.allocUnsafe(SLAB_BYTES); this.slabUsed = 0; }
      if (!this.small.openInto(nonce, sealed, this.slab, this.slabUsed)) return null;
      const out = this.slab.subarray(this.slabUsed, this.slabUsed + n);
      this.slabUsed += n;
      this.seq++;
      return out;
    }
    const out = this.aead.openSync(nonce, sealed);
    if (out !== null) this.seq++;
    return out;
  }
}

