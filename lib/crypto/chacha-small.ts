import { endianness } from "node:os";

/**
 * ChaCha20-Poly1305 (RFC 8439) opening in plain JavaScript, for tiny blocks only. node:crypto
 * costs about 4 us per call here whatever the size (createDecipheriv, setAuthTag, update, final),
 * which dominates a capture written one keystroke per block; this costs well under a microsecond
 * for such blocks because the key is expanded once per file and nothing is allocated per call.
 * Past a few hundred bytes native is faster: suite.ts chooses by size (SMALL_BLOCK_MAX).
 * The Poly1305 arithmetic is poly1305-donna's 16-bit-limb form, as noble-ciphers (MIT) writes it.
 */

/** True where this implementation applies (it reads keystream words as little-endian bytes). */
export const SMALL_AEAD_AVAILABLE = endianness() === "LE";

const TAG = 16;

function rotl(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n));
}

function u16(a: Uint8Array, i: number): number {
  return a[i]! | (a[i + 1]! << 8);
}

/**
 * Opens ChaCha20-Poly1305 blocks under one key; `openInto` writes the plaintext into the caller's
 * buffer and returns false (writing nothing) when the tag does not match.
 *
 * @example
 *   const aead = new SmallChaCha20Poly1305(key);
 *   if (!aead.openInto(nonce, sealed, out, 0)) throw new Error("altered");
 */
export class SmallChaCha20Poly1305 {
  private readonly k = new Uint32Array(8);
  private readonly ks = new Uint32Array(16);
  private readonly ks8 = new Uint8Array(this.ks.buffer);
  private readonly r = new Uint16Array(10);
  private readonly h = new Uint16Array(10);
  private readonly pad = new Uint16Array(8);
  private readonly g = new Uint16Array(10);
  private readonly last = new Uint8Array(16);
  private n0 = 0;
  private n1 = 0;
  private n2 = 0;

  constructor(key: Uint8Array) {
    if (key.length !== 32) throw new RangeError("ChaCha20-Poly1305 needs a 32-byte key");
    for (let i = 0; i < 8; i++) this.k[i] = (key[4 * i]! | (key[4 * i + 1]! << 8) | (key[4 * i + 2]! << 16) | (key[4 * i + 3]! << 24)) >>> 0;
  }

  /**
   * Opens `sealed` (ciphertext then 16-byte tag) with a 12-byte `nonce`, writing the plaintext to
   * `out` at `at`. Returns false, leaving `out` untouched, when it does not authenticate.
   */
  openInto(nonce: Uint8Array, sealed: Uint8Array, out: Uint8Array, at: number): boolean {
    if (sealed.length < TAG) return false;
    const n = sealed.length - TAG;
    this.n0 = (nonce[0]! | (nonce[1]! << 8) | (nonce[2]! << 16) | (nonce[3]! << 24)) >>> 0;
    this.n1 = (nonce[4]! | (nonce[5]! << 8) | (nonce[6]! << 16) | (nonce[7]! << 24)) >>> 0;
    this.n2 = (nonce[8]! | (nonce[9]! << 8) | (nonce[10]! << 16) | (nonce[11]! << 24)) >>> 0;
    // Block 0 of the keystream is the one-time Poly1305 key.
    this.block(0);
    if (!this.verify(sealed, n)) return false;
    const ks8 = this.ks8;
    for (let off = 0, counter = 1; off < n; off += 64, counter++) {
      this.block(counter);
      const end = Math.min(64, n - off);
      for (let j = 0; j < end; j++) out[at + off + j] = sealed[off + j]! ^ ks8[j]!;
    }
    return true;
  }

  /** One ChaCha20 block for the current nonce and `counter`, into `ks`. */
  private block(counter: number): void {
    const k = this.k;
    const s0 = 0x61707865, s1 = 0x3320646e, s2 = 0x79622d32, s3 = 0x6b206574;
    const s4 = k[0]!, s5 = k[1]!, s6 = k[2]!, s7 = k[3]!, s8 = k[4]!, s9 = k[5]!, s10 = k[6]!, s11 = k[7]!;
    const s12 = counter, s13 = this.n0, s14 = this.n1, s15 = this.n2;
    let x0 = s0, x1 = s1, x2 = s2, x3 = s3, x4 = s4, x5 = s5, x6 = s6, x7 = s7;
    let x8 = s8, x9 = s9, x10 = s10, x11 = s11, x12 = s12, x13 = s13, x14 = s14, x15 = s15;
    for (let i = 0; i < 10; i++) {
      x0 = (x0 + x4) | 0; x12 = rotl(x12 ^ x0, 16); x8 = (x8 + x12) | 0; x4 = rotl(x4 ^ x8, 12);
      x0 = (x0 + x4) | 0; x12 = rotl(x12 ^ x0, 8); x8 = (x8 + x12) | 0; x4 = rotl(x4 ^ x8, 7);
      x1 = (x1 + x5) | 0; x13 = rotl(x13 ^ x1, 16); x9 = (x9 + x13) | 0; x5 = rotl(x5 ^ x9, 12);
      x1 = (x1 + x5) | 0; x13 = rotl(x13 ^ x1, 8); x9 = (x9 + x13) | 0; x5 = rotl(x5 ^ x9, 7);
      x2 = (x2 + x6) | 0; x14 = rotl(x14 ^ x2, 16); x10 = (x10 + x14) | 0; x6 = rotl(x6 ^ x10, 12);
      x2 = (x2 + x6) | 0; x14 = rotl(x14 ^ x2, 8); x10 = (x10 + x14) | 0; x6 = rotl(x6 ^ x10, 7);
      x3 = (x3 + x7) | 0; x15 = rotl(x15 ^ x3, 16); x11 = (x11 + x15) | 0; x7 = rotl(x7 ^ x11, 12);
      x3 = (x3 + x7) | 0; x15 = rotl(x15 ^ x3, 8); x11 = (x11 + x15) | 0; x7 = rotl(x7 ^ x11, 7);

      x0 = (x0 + x5) | 0; x15 = rotl(x15 ^ x0, 16); x10 = (x10 + x15) | 0; x5 = rotl(x5 ^ x10, 12);
      x0 = (x0 + x5) | 0; x15 = rotl(x15 ^ x0, 8); x10 = (x10 + x15) | 0; x5 = rotl(x5 ^ x10, 7);
      x1 = (x1 + x6) | 0; x12 = rotl(x12 ^ x1, 16); x11 = (x11 + x12) | 0; x6 = rotl(x6 ^ x11, 12);
      x1 = (x1 + x6) | 0; x12 = rotl(x12 ^ x1, 8); x11 = (x11 + x12) | 0; x6 = rotl(x6 ^ x11, 7);
      x2 = (x2 + x7) | 0; x13 = rotl(x13 ^ x2, 16); x8 = (x8 + x13) | 0; x7 = rotl(x7 ^ x8, 12);
      x2 = (x2 + x7) | 0; x13 = rotl(x13 ^ x2, 8); x8 = (x8 + x13) | 0; x7 = rotl(x7 ^ x8, 7);
      x3 = (x3 + x4) | 0; x14 = rotl(x14 ^ x3, 16); x9 = (x9 + x14) | 0; x4 = rotl(x4 ^ x9, 12);
      x3 = (x3 + x4) | 0; x14 = rotl(x14 ^ x3, 8); x9 = (x9 + x14) | 0; x4 = rotl(x4 ^ x9, 7);
    }
    const o = this.ks;
    o[0] = x0 + s0; o[1] = x1 + s1; o[2] = x2 + s2; o[3] = x3 + s3;
    o[4] = x4 + s4; o[5] = x5 + s5; o[6] = x6 + s6; o[7] = x7 + s7;
    o[8] = x8 + s8; o[9] = x9 + s9; o[10] = x10 + s10; o[11] = x11 + s11;
    o[12] = x12 + s12; o[13] = x13 + s13; o[14] = x14 + s14; o[15] = x15 + s15;
  }

  /** Poly1305 over ciphertext (padded to 16) and the lengths block, keyed by `ks[0..7]`; compares with the tag. */
  private verify(sealed: Uint8Array, n: number): boolean {
    const key = this.ks8;
    const r = this.r;
    const t0 = u16(key, 0), t1 = u16(key, 2), t2 = u16(key, 4), t3 = u16(key, 6);
    const t4 = u16(key, 8), t5 = u16(key, 10), t6 = u16(key, 12), t7 = u16(key, 14);
    r[0] = t0 & 0x1fff;
    r[1] = ((t0 >>> 13) | (t1 << 3)) & 0x1fff;
    r[2] = ((t1 >>> 10) | (t2 << 6)) & 0x1f03;
    r[3] = ((t2 >>> 7) | (t3 << 9)) & 0x1fff;
    r[4] = ((t3 >>> 4) | (t4 << 12)) & 0x00ff;
    r[5] = (t4 >>> 1) & 0x1ffe;
    r[6] = ((t4 >>> 14) | (t5 << 2)) & 0x1fff;
    r[7] = ((t5 >>> 11) | (t6 << 5)) & 0x1f81;
    r[8] = ((t6 >>> 8) | (t7 << 8)) & 0x1fff;
    r[9] = (t7 >>> 5) & 0x007f;
    for (let i = 0; i < 8; i++) this.pad[i] = u16(key, 16 + 2 * i);
    this.h.fill(0);
    const full = n & ~15;
    for (let off = 0; off < full; off += 16) this.process(sealed, off);
    const last = this.last;
    if (n > full) {
      last.fill(0);
      for (let j = full; j < n; j++) last[j - full] = sealed[j]!;
      this.process(last, 0);
    }
    // The lengths block: aad length 0, ciphertext length n, little-endian u64 each.
    last.fill(0);
    last[8] = n & 0xff; last[9] = (n >>> 8) & 0xff; last[10] = (n >>> 16) & 0xff; last[11] = (n >>> 24) & 0xff;
    const hi = Math.floor(n / 0x1_0000_0000);
    last[12] = hi & 0xff; last[13] = (hi >>> 8) & 0xff;
    this.process(last, 0);
    return this.finishAndCompare(sealed, n);
  }

  private process(data: Uint8Array, offset: number): void {
    const h = this.h, r = this.r;
    const r0 = r[0]!, r1 = r[1]!, r2 = r[2]!, r3 = r[3]!, r4 = r[4]!, r5 = r[5]!, r6 = r[6]!, r7 = r[7]!, r8 = r[8]!, r9 = r[9]!;
    const t0 = u16(data, offset + 0), t1 = u16(data, offset + 2), t2 = u16(data, offset + 4), t3 = u16(data, offset + 6);
    const t4 = u16(data, offset + 8), t5 = u16(data, offset + 10), t6 = u16(data, offset + 12), t7 = u16(data, offset + 14);
    const h0 = h[0]! + (t0 & 0x1fff);
    const h1 = h[1]! + (((t0 >>> 13) | (t1 << 3)) & 0x1fff);
    const h2 = h[2]! + (((t1 >>> 10) | (t2 << 6)) & 0x1fff);
    const h3 = h[3]! + (((t2 >>> 7) | (t3 << 9)) & 0x1fff);
    const h4 = h[4]! + (((t3 >>> 4) | (t4 << 12)) & 0x1fff);
    const h5 = h[5]! + ((t4 >>> 1) & 0x1fff);
    const h6 = h[6]! + (((t4 >>> 14) | (t5 << 2)) & 0x1fff);
    const h7 = h[7]! + (((t5 >>> 11) | (t6 << 5)) & 0x1fff);
    const h8 = h[8]! + (((t6 >>> 8) | (t7 << 8)) & 0x1fff);
    const h9 = h[9]! + ((t7 >>> 5) | (1 << 11));
    let c = 0;
    let d0 = c + h0 * r0 + h1 * (5 * r9) + h2 * (5 * r8) + h3 * (5 * r7) + h4 * (5 * r6);
    c = d0 >>> 13; d0 &= 0x1fff;
    d0 += h5 * (5 * r5) + h6 * (5 * r4) + h7 * (5 * r3) + h8 * (5 * r2) + h9 * (5 * r1);
    c += d0 >>> 13; d0 &= 0x1fff;
    let d1 = c + h0 * r1 + h1 * r0 + h2 * (5 * r9) + h3 * (5 * r8) + h4 * (5 * r7);
    c = d1 >>> 13; d1 &= 0x1fff;
    d1 += h5 * (5 * r6) + h6 * (5 * r5) + h7 * (5 * r4) + h8 * (5 * r3) + h9 * (5 * r2);
    c += d1 >>> 13; d1 &= 0x1fff;
    let d2 = c + h0 * r2 + h1 * r1 + h2 * r0 + h3 * (5 * r9) + h4 * (5 * r8);
    c = d2 >>> 13; d2 &= 0x1fff;
    d2 += h5 * (5 * r7) + h6 * (5 * r6) + h7 * (5 * r5) + h8 * (5 * r4) + h9 * (5 * r3);
    c += d2 >>> 13; d2 &= 0x1fff;
    let d3 = c + h0 * r3 + h1 * r2 + h2 * r1 + h3 * r0 + h4 * (5 * r9);
    c = d3 >>> 13; d3 &= 0x1fff;
    d3 += h5 * (5 * r8) + h6 * (5 * r7) + h7 * (5 * r6) + h8 * (5 * r5) + h9 * (5 * r4);
    c += d3 >>> 13; d3 &= 0x1fff;
    let d4 = c + h0 * r4 + h1 * r3 + h2 * r2 + h3 * r1 + h4 * r0;
    c = d4 >>> 13; d4 &= 0x1fff;
    d4 += h5 * (5 * r9) + h6 * (5 * r8) + h7 * (5 * r7) + h8 * (5 * r6) + h9 * (5 * r5);
    c += d4 >>> 13; d4 &= 0x1fff;
    let d5 = c + h0 * r5 + h1 * r4 + h2 * r3 + h3 * r2 + h4 * r1;
    c = d5 >>> 13; d5 &= 0x1fff;
    d5 += h5 * r0 + h6 * (5 * r9) + h7 * (5 * r8) + h8 * (5 * r7) + h9 * (5 * r6);
    c += d5 >>> 13; d5 &= 0x1fff;
    let d6 = c + h0 * r6 + h1 * r5 + h2 * r4 + h3 * r3 + h4 * r2;
    c = d6 >>> 13; d6 &= 0x1fff;
    d6 += h5 * r1 + h6 * r0 + h7 * (5 * r9) + h8 * (5 * r8) + h9 * (5 * r7);
    c += d6 >>> 13; d6 &= 0x1fff;
    let d7 = c + h0 * r7 + h1 * r6 + h2 * r5 + h3 * r4 + h4 * r3;
    c = d7 >>> 13; d7 &= 0x1fff;
    d7 += h5 * r2 + h6 * r1 + h7 * r0 + h8 * (5 * r9) + h9 * (5 * r8);
    c += d7 >>> 13; d7 &= 0x1fff;
    let d8 = c + h0 * r8 + h1 * r7 + h2 * r6 + h3 * r5 + h4 * r4;
    c = d8 >>> 13; d8 &= 0x1fff;
    d8 += h5 * r3 + h6 * r2 + h7 * r1 + h8 * r0 + h9 * (5 * r9);
    c += d8 >>> 13; d8 &= 0x1fff;
    let d9 = c + h0 * r9 + h1 * r8 + h2 * r7 + h3 * r6 + h4 * r5;
    c = d9 >>> 13; d9 &= 0x1fff;
    d9 += h5 * r4 + h6 * r3 + h7 * r2 + h8 * r1 + h9 * r0;
    c += d9 >>> 13; d9 &= 0x1fff;
    c = ((c << 2) + c) | 0;
    c = (c + d0) | 0;
    d0 = c & 0x1fff;
    c = c >>> 13;
    d1 += c;
    h[0] = d0; h[1] = d1; h[2] = d2; h[3] = d3; h[4] = d4; h[5] = d5; h[6] = d6; h[7] = d7; h[8] = d8; h[9] = d9;
  }

  /** Final reduction mod 2^130-5, adds s, and compares with the tag in constant time. */
  private finishAndCompare(sealed: Uint8Array, n: number): boolean {
    const h = this.h, g = this.g, pad = this.pad;
    let c = h[1]! >>> 13;
    h[1]! &= 0x1fff;
    for (let i = 2; i < 10; i++) { h[i]! += c; c = h[i]! >>> 13; h[i]! &= 0x1fff; }
    h[0]! += c * 5;
    c = h[0]! >>> 13; h[0]! &= 0x1fff;
    h[1]! += c;
    c = h[1]! >>> 13; h[1]! &= 0x1fff;
    h[2]! += c;
    g[0] = h[0]! + 5;
    c = g[0]! >>> 13; g[0]! &= 0x1fff;
    for (let i = 1; i < 10; i++) { g[i] = h[i]! + c; c = g[i]! >>> 13; g[i]! &= 0x1fff; }
    g[9]! -= 1 << 13;
    let mask = (c ^ 1) - 1;
    for (let i = 0; i < 10; i++) g[i]! &= mask;
    mask = ~mask;
    for (let i = 0; i < 10; i++) h[i] = (h[i]! & mask) | g[i]!;
    h[0] = (h[0]! | (h[1]! << 13)) & 0xffff;
    h[1] = ((h[1]! >>> 3) | (h[2]! << 10)) & 0xffff;
    h[2] = ((h[2]! >>> 6) | (h[3]! << 7)) & 0xffff;
    h[3] = ((h[3]! >>> 9) | (h[4]! << 4)) & 0xffff;
    h[4] = ((h[4]! >>> 12) | (h[5]! << 1) | (h[6]! << 14)) & 0xffff;
    h[5] = ((h[6]! >>> 2) | (h[7]! << 11)) & 0xffff;
    h[6] = ((h[7]! >>> 5) | (h[8]! << 8)) & 0xffff;
    h[7] = ((h[8]! >>> 8) | (h[9]! << 5)) & 0xffff;
    let f = h[0]! + pad[0]!;
    h[0] = f & 0xffff;
    for (let i = 1; i < 8; i++) { f = (((h[i]! + pad[i]!) | 0) + (f >>> 16)) | 0; h[i] = f & 0xffff; }
    let diff = 0;
    for (let i = 0; i < 8; i++) {
      const t = sealed[n + 2 * i]! | (sealed[n + 2 * i + 1]! << 8);
      diff |= t ^ h[i]!;
    }
    return diff === 0;
  }
}
