import { createPrivateKey, createPublicKey } from "node:crypto";
import { CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from "@hpke/core";
import { NativeChaCha20Poly1305, type NativeChaCha20Poly1305Context, NONCE_BYTES } from "./aead.js";
import { computeNonce } from "./block-opener.js";

// The opener lives in block-opener.ts (no @hpke/core there, so `ssh-log decrypt` does not load it).
export { BlockOpener, SMALL_BLOCK_MAX } from "./block-opener.js";


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
  pkcs8.fill(0); // the raw key must not stay in Node's shared Buffer pool
  const jwk = pub.export({ format: "jwk" });
  return new Uint8Array(Buffer.from(jwk.x!, "base64url"));
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
    const [ciphertext, tag] = this.sealSyncParts(plain);
    return Buffer.concat([ciphertext, tag], ciphertext.length + tag.length);
  }

  /** As sealSync, but the ciphertext and the tag come as two buffers (written together, never joined). */
  sealSyncParts(plain: Uint8Array): [Buffer, Buffer] {
    if (this.aead === null || this.baseNonce === null) throw new Error("seal() must seal block 0 first");
    const out = this.aead.sealParts(computeNonce(this.baseNonce, this.seq, this.nonce), plain);
    this.seq++;
    return out;
  }

  /** True once block 0 is sealed and sealSync may be used. */
  get ready(): boolean { return this.aead !== null; }
}
