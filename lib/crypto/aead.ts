import { createCipheriv, createDecipheriv } from "node:crypto";
// Types only: the opener's path (block-opener.ts) must not load @hpke/core.
import type { AeadEncryptionContext, AeadId, AeadInterface } from "@hpke/core";

/** ChaCha20-Poly1305 sizes (RFC 8439), as HPKE names them. */
export const KEY_BYTES = 32;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;

const EMPTY = new Uint8Array(0);

function view(x: ArrayBufferLike | ArrayBufferView): Uint8Array {
  return ArrayBuffer.isView(x) ? new Uint8Array(x.buffer, x.byteOffset, x.byteLength) : new Uint8Array(x);
}

/**
 * ChaCha20-Poly1305 on node:crypto (OpenSSL), about ten times the speed of the pure-JavaScript AEAD
 * that @hpke/chacha20poly1305 ships. The synchronous methods are what the block loops call; the
 * promise methods make it an @hpke/core AEAD, so the key schedule stays the library's.
 *
 * @example const ct = new NativeChaCha20Poly1305Context(key).sealSync(nonce, plaintext);
 */
export class NativeChaCha20Poly1305Context implements AeadEncryptionContext {
  readonly key: Buffer;
  /** The nonce of the first seal or open through @hpke/core: sequence 0, so HPKE's base_nonce. */
  firstNonce: Buffer | null = null;

  constructor(key: ArrayBufferLike | ArrayBufferView) {
    this.key = Buffer.from(view(key));
    if (this.key.length !== KEY_BYTES) throw new RangeError("ChaCha20-Poly1305 needs a 32-byte key");
  }

  /**
   * Seals `data`; returns the ciphertext and the 16-byte tag as two buffers, so a writer can hand
   * both to one writev without copying the ciphertext again to join them.
   */
  sealParts(nonce: Uint8Array, data: Uint8Array, aad: Uint8Array = EMPTY): [Buffer, Buffer] {
    const c = createCipheriv("chacha20-poly1305", this.key, nonce, { authTagLength: TAG_BYTES });
    if (aad.length > 0) c.setAAD(aad, { plaintextLength: data.length });
    const head = c.update(data);
    c.final();
    return [head, c.getAuthTag()];
  }

  /** Seals `data`; returns ciphertext followed by the 16-byte tag. */
  sealSync(nonce: Uint8Array, data: Uint8Array, aad: Uint8Array = EMPTY): Buffer {
    const [head, tag] = this.sealParts(nonce, data, aad);
    return Buffer.concat([head, tag], head.length + TAG_BYTES);
  }

  /** Opens `sealed` (ciphertext and tag); returns the plaintext, or null when it does not authenticate. */
  openSync(nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array = EMPTY): Buffer | null {
    if (sealed.length < TAG_BYTES) return null;
    const split = sealed.length - TAG_BYTES;
    const d = createDecipheriv("chacha20-poly1305", this.key, nonce, { authTagLength: TAG_BYTES });
    d.setAuthTag(sealed.subarray(split));
    if (aad.length > 0) d.setAAD(aad, { plaintextLength: split });
    const out = d.update(sealed.subarray(0, split));
    try {
      d.final();
    } catch {
      return null;
    }
    return out;
  }

  async seal(iv: ArrayBufferLike | ArrayBufferView, data: ArrayBufferLike | ArrayBufferView, aad: ArrayBufferLike | ArrayBufferView): Promise<ArrayBuffer> {
    this.firstNonce ??= Buffer.from(view(iv));
    return toArrayBuffer(this.sealSync(view(iv), view(data), view(aad)));
  }

  async open(iv: ArrayBufferLike | ArrayBufferView, data: ArrayBufferLike | ArrayBufferView, aad: ArrayBufferLike | ArrayBufferView): Promise<ArrayBuffer> {
    this.firstNonce ??= Buffer.from(view(iv));
    const out = this.openSync(view(iv), view(data), view(aad));
    if (out === null) throw new Error("ChaCha20-Poly1305: the message did not authenticate");
    return toArrayBuffer(out);
  }
}

function toArrayBuffer(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

/**
 * The AEAD object @hpke/core takes in place of its built-in ones. It remembers the context it made,
 * so the caller can run the per-block loop synchronously on the same key (see suite.ts).
 */
export class NativeChaCha20Poly1305 implements AeadInterface {
  readonly id: AeadId = 0x0003; // AeadId.Chacha20Poly1305 (RFC 9180)
  readonly keySize = KEY_BYTES;
  readonly nonceSize = NONCE_BYTES;
  readonly tagSize = TAG_BYTES;
  lastContext: NativeChaCha20Poly1305Context | null = null;

  createEncryptionContext(key: ArrayBufferLike | ArrayBufferView): NativeChaCha20Poly1305Context {
    this.lastContext = new NativeChaCha20Poly1305Context(key);
    return this.lastContext;
  }
}
