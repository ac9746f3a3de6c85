import { createPrivateKey, createPublicKey } from "node:crypto";
import { CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from "@hpke/core";
import { NativeChaCha20Poly1305, type NativeChaCha20Poly1305Context, NONCE_BYTES, TAG_BYTES } from "./aead.js";
import { X25519_KEY_BYTES } from "./keys.js";
import { SMALL_AEAD_AVAILABLE, SmallChaCha20Poly1305 } from "./chacha-small.js";

/**
 * Sealed blocks up to this many bytes open in JavaScript (chacha-small.ts): below it one
 * node:crypto call (~4 us here, whatever the size) costs more than the whole JavaScript open;
 * measured crossover on this machine between 512 and 1024 bytes (see BENCHMARKS.md).
 */
export const SMALL_BLOCK_MAX = 512;
/** Plaintexts of small blocks are carved out of shared slabs of this size: one allocation per slab. */
const SLAB_BYTES = 64 << 10;

/**
 * The capture format's HPKE suite (RFC 9180): DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
 * ChaCha20-Poly1305, base mode, empty info and aad. @hpke/core does the KEM and the key schedule;
 * the AEAD is node:crypto's. Each call makes its own suite because the AEAD object remembers the
 * context it created (see NativeChaCha20Poly1305).
 */
export function createSuite(): { suite: CipherSuite; aead: NativeChaCha20Poly1305 } {
  const aead = new NativeChaCha20Poly1305();
  const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead });
  return { suite, aead };
}

/** An exact-length ArrayBuffer copy: @hpke/core's importKey rejects pooled Buffers' backing stores. */
export function exactBuffer(bytes: Uint8Array): ArrayBuffer {
  const out = new ArrayBuffer(bytes.length);
  new Uint8Array(out).set(bytes);
  return out;
}

/**
 * Makes an X25519 key pair as raw 32-byte keys.
 *
 * @example const { privateKey, publicKey } = await generateKeyPair();
 */
export async function generateKeyPair(): Promise<{ privateKey: Uint8Array; publicKey: Uint8Array }> {
  const { suite } = createSuite();
  const pair = await suite.kem.generateKeyPair();
  const privateKey = new Uint8Array(await suite.kem.serializePrivateKey(pair.privateKey));
  const publicKey = new Uint8Array(await suite.kem.serializePublicKey(pair.publicKey));
  return { privateKey, publicKey };
}

/**
 * The public key of a raw X25519 private key (node:crypto's scalar multiplication).
 *
 * @example encodeKeyText(publicKeyOf(sk)) === readFileSync("sshkey.pub", "utf8")
 */
export function publicKeyOf(privateKey: Uint8Array): Uint8Array {
  const pkcs8 = Buffer.concat([Buffer.from("302e020100300506032b656e04220420", "hex"), privateKey]);
  const pub = createPublicKey(createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" }));
  const jwk = pub.export({ format: "jwk" });
  return new Uint8Array(Buffer.from(jwk.x!, "base64url"));
}

/** HPKE's ComputeNonce: base_nonce XOR the sequence number, big-endian in the last 8 bytes. */
function computeNonce(base: Buffer, seq: number, out: Buffer): Buffer {
  base.copy(out);
  let s = seq;
  for (let i = NONCE_BYTES - 1; s > 0 && i >= NONCE_BYTES - 8; i--) {
    out[i] = out[i]! ^ (s & 0xff);
    s = Math.floor(s / 256);
  }
  return out;
}

/**
 * Opens a capture's blocks in order. Block 0 goes through @hpke/core's recipient context (which
 * checks the key schedule end to end); after it, blocks open synchronously on node:crypto with
 * the same key and HPKE's nonce sequence.
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
  private baseNonce: Buffer | null = null;
  private readonly nonce = Buffer.alloc(NONCE_BYTES);
  /** Sequence number of the next block to open. */
  seq = 0;

  private constructor(private readonly context: { open(ct: ArrayBuffer): Promise<ArrayBuffer> }, private readonly suiteAead: NativeChaCha20Poly1305) {}

  static async create(privateKey: Uint8Array, enc: Uint8Array): Promise<BlockOpener> {
    if (privateKey.length !== X25519_KEY_BYTES) throw new RangeError("an X25519 private key is 32 bytes");
    const { suite, aead } = createSuite();
    const recipientKey = await suite.kem.importKey("raw", exactBuffer(privateKey), false);
    const ctx = await suite.createRecipientContext({ recipientKey, enc: exactBuffer(enc) });
    return new BlockOpener(ctx, aead);
  }

  /** Opens block 0; null when it does not authenticate (the wrong key). */
  async openFirst(sealed: Uint8Array): Promise<Buffer | null> {
    try {
      const plain = await this.context.open(exactBuffer(sealed));
      this.aead = this.suiteAead.lastContext;
      this.baseNonce = this.aead!.firstNonce;
      if (SMALL_AEAD_AVAILABLE) this.small = new SmallChaCha20Poly1305(this.aead!.key);
      this.seq = 1;
      return Buffer.from(plain);
    } catch {
      return null;
    }
  }

  /** Opens the next block after block 0; null when it does not authenticate. */
  open(sealed: Uint8Array): Buffer | null {
    if (this.aead === null || this.baseNonce === null) throw new Error("openFirst must succeed before open");
    const nonce = computeNonce(this.baseNonce, this.seq, this.nonce);
    if (this.small !== null && sealed.length <= SMALL_BLOCK_MAX) {
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

/**
 * Seals blocks in order for one capture: the writer's side of BlockOpener.
 *
 * @example
 *   const sealer = await BlockSealer.create(publicKey);
 *   header.encapsulatedKey = sealer.enc;
 *   const block0 = await sealer.seal(plaintext);
 */
export class BlockSealer {
  private aead: NativeChaCha20Poly1305Context | null = null;
  private baseNonce: Buffer | null = null;
  private readonly nonce = Buffer.alloc(NONCE_BYTES);
  seq = 0;

  private constructor(readonly enc: Uint8Array, private readonly context: { seal(pt: ArrayBuffer): Promise<ArrayBuffer> }, private readonly suiteAead: NativeChaCha20Poly1305) {}

  static async create(publicKey: Uint8Array): Promise<BlockSealer> {
    const { suite, aead } = createSuite();
    const recipientPublicKey = await suite.kem.importKey("raw", exactBuffer(publicKey), true);
    const ctx = await suite.createSenderContext({ recipientPublicKey });
    return new BlockSealer(new Uint8Array(ctx.enc), ctx, aead);
  }

  /** Seals the next block. Block 0 goes through @hpke/core; later ones are synchronous underneath. */
  async seal(plain: Uint8Array): Promise<Buffer> {
    if (this.aead === null) {
      const sealed = Buffer.from(await this.context.seal(exactBuffer(plain)));
      this.aead = this.suiteAead.lastContext;
      this.baseNonce = this.aead!.firstNonce;
      this.seq = 1;
      return sealed;
    }
    return this.sealSync(plain);
  }

  /** Seals the next block synchronously; only after the first `seal()`. */
  sealSync(plain: Uint8Array): Buffer {
    if (this.aead === null || this.baseNonce === null) throw new Error("seal() must seal block 0 first");
    const out = this.aead.sealSync(computeNonce(this.baseNonce, this.seq, this.nonce), plain);
    this.seq++;
    return out;
  }

  /** True once block 0 is sealed and sealSync may be used. */
  get ready(): boolean { return this.aead !== null; }
}
