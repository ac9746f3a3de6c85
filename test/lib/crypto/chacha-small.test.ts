import { createCipheriv, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { SMALL_AEAD_AVAILABLE, SmallChaCha20Poly1305 } from "../../../lib/crypto/chacha-small.js";
import { BlockOpener, BlockSealer, generateKeyPair, SMALL_BLOCK_MAX } from "../../../lib/crypto/suite.js";

function seal(key: Buffer, nonce: Buffer, pt: Uint8Array): Buffer {
  const c = createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: 16 });
  return Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]);
}

describe("SmallChaCha20Poly1305", () => {
  it("is available on this (little-endian) machine, so the small-block path is what the golden tests run", () => {
    expect(SMALL_AEAD_AVAILABLE).toBe(true);
  });

  it("opens RFC 8439 section 2.8.2's key, nonce and text as OpenSSL seals them without AAD (the format never uses AAD)", () => {
    const key = Buffer.from("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f", "hex");
    const nonce = Buffer.from("070000004041424344454647", "hex");
    const pt = Buffer.from("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.");
    const out = Buffer.alloc(pt.length);
    expect(new SmallChaCha20Poly1305(key).openInto(nonce, seal(key, nonce, pt), out, 0)).toBe(true);
    expect(out.equals(pt)).toBe(true);
  });

  it("opens what node:crypto seals, for every length from 0 to 600 bytes, at any output offset", () => {
    const key = randomBytes(32);
    const aead = new SmallChaCha20Poly1305(key);
    for (let n = 0; n <= 600; n++) {
      const nonce = randomBytes(12);
      const pt = randomBytes(n);
      const out = Buffer.alloc(n + 7, 0xee);
      expect(aead.openInto(nonce, seal(key, nonce, pt), out, 7)).toBe(true);
      expect(out.subarray(7).equals(pt)).toBe(true);
      expect(out.subarray(0, 7).every((b) => b === 0xee)).toBe(true);
    }
  });

  it("refuses any single flipped bit, a wrong nonce, a short input, and leaves the output untouched", () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), fc.nat(), fc.nat(7), (pt, where, bit) => {
      const key = randomBytes(32);
      const nonce = randomBytes(12);
      const sealed = seal(key, nonce, pt);
      const aead = new SmallChaCha20Poly1305(key);
      const bad = Buffer.from(sealed);
      bad[where % bad.length]! ^= 1 << bit;
      const out = Buffer.alloc(pt.length, 0x55);
      expect(aead.openInto(nonce, bad, out, 0)).toBe(false);
      expect(out.every((b) => b === 0x55)).toBe(true);
      const otherNonce = Buffer.from(nonce);
      otherNonce[11]! ^= 1;
      expect(aead.openInto(otherNonce, sealed, out, 0)).toBe(false);
      expect(aead.openInto(nonce, sealed.subarray(0, 15), out, 0)).toBe(false);
    }), { numRuns: 300 });
  });
});

describe("BlockOpener with small and large blocks mixed", () => {
  it("opens a sequence of blocks on both sides of SMALL_BLOCK_MAX, and refuses one sealed out of order", async () => {
    const { privateKey, publicKey } = await generateKeyPair();
    const sealer = await BlockSealer.create(publicKey);
    // The first 1024 small blocks open natively (the JS path is cold); 1500 reach the JS path too.
    const sizes = [5, 1, SMALL_BLOCK_MAX - 16, SMALL_BLOCK_MAX - 15, 4000, 60, 70_000, 0 + 1, 300];
    for (let i = 0; i < 1500; i++) sizes.push(i % 500 === 0 ? 5000 : 1 + (i % (SMALL_BLOCK_MAX - 16)));
    sizes.push(SMALL_BLOCK_MAX - 16, SMALL_BLOCK_MAX - 15, 2, 70_000, 3);
    const plains = sizes.map((n) => randomBytes(n));
    const sealed: Buffer[] = [];
    for (const p of plains) sealed.push(await sealer.seal(p));
    const opener = await BlockOpener.create(privateKey, sealer.enc);
    expect((await opener.openFirst(sealed[0]!))!.equals(plains[0]!)).toBe(true);
    const kept: Buffer[] = [];
    for (let i = 1; i < sealed.length; i++) {
      const got = opener.open(sealed[i]!);
      expect(got).not.toBeNull();
      kept.push(got!);
    }
    // Earlier plaintexts stay intact after later opens (they share slabs).
    kept.forEach((k, i) => expect(k.equals(plains[i + 1]!)).toBe(true));
    const again = await BlockOpener.create(privateKey, sealer.enc);
    await again.openFirst(sealed[0]!);
    expect(again.open(sealed[2]!)).toBeNull(); // block 2 where block 1 belongs
    expect(again.seq).toBe(1);
    expect(again.open(sealed[1]!)!.equals(plains[1]!)).toBe(true);
  });
});
