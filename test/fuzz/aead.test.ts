import { createCipheriv } from "node:crypto";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { ErrorCode } from "../../lib/errors.js";
import { SmallChaCha20Poly1305 } from "../../lib/crypto/chacha-small.js";
import { generateKeyPair } from "../../lib/crypto/suite.js";
import type { Packet } from "../../lib/format/packets.js";
import { openCapture } from "../../lib/session/open-capture.js";
import { asSource, fuzzParams, fuzzTimeout } from "./fuzz-config.js";
import { buildCapture, encodePackets, isPrefixOf } from "./make-capture.js";

/**
 * The JavaScript ChaCha20-Poly1305 that opens small blocks (after the first 1024) is the one piece
 * of cryptography not from OpenSSL: checked here against node:crypto, and for forgeries.
 */
function seal(key: Uint8Array, nonce: Uint8Array, plain: Uint8Array): Buffer {
  const c = createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: 16 });
  const ct = c.update(plain);
  c.final();
  return Buffer.concat([ct, c.getAuthTag()]);
}

const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const nonce12 = fc.uint8Array({ minLength: 12, maxLength: 12 });

describe("fuzz: JavaScript ChaCha20-Poly1305 against OpenSSL", () => {
  it("opens what OpenSSL seals, and refuses every altered tag, ciphertext, nonce or length without writing", () => {
    fc.assert(fc.property(key32, nonce12, fc.uint8Array({ maxLength: 600 }), fc.nat(64), fc.nat(), fc.nat(7), fc.nat(3), (key, nonce, plain, at, flipAt, bit, how) => {
      const aead = new SmallChaCha20Poly1305(key);
      const sealed = seal(key, nonce, plain);
      const out = Buffer.alloc(at + plain.length + 8, 0xee);
      expect(aead.openInto(nonce, sealed, out, at)).toBe(true);
      expect(out.subarray(at, at + plain.length).equals(Buffer.from(plain))).toBe(true);

      const bad = Buffer.from(sealed);
      let badNonce = nonce;
      let forged: Buffer = bad;
      if (how === 0) bad[flipAt % bad.length] = bad[flipAt % bad.length]! ^ (1 << bit); // ciphertext or tag bit
      else if (how === 1) { badNonce = Uint8Array.from(nonce); badNonce[flipAt % 12] = badNonce[flipAt % 12]! ^ (1 << bit); }
      else if (how === 2) forged = bad.subarray(0, flipAt % bad.length); // shorter (may drop below a tag)
      else forged = Buffer.concat([bad, Buffer.from([bit])]); // longer
      const sentinel = Buffer.alloc(out.length, 0x5a);
      expect(aead.openInto(badNonce, forged, sentinel, at)).toBe(false);
      expect(sentinel.every((b) => b === 0x5a)).toBe(true);
    }), fuzzParams(2000));
  }, fuzzTimeout(60_000));

  it("refuses random bytes as a sealed block", () => {
    fc.assert(fc.property(key32, nonce12, fc.uint8Array({ maxLength: 600 }), (key, nonce, junk) => {
      const out = Buffer.alloc(junk.length, 0x5a);
      expect(new SmallChaCha20Poly1305(key).openInto(nonce, junk, out, 0)).toBe(false);
      expect(out.every((b) => b === 0x5a)).toBe(true);
    }), fuzzParams(1000));
  }, fuzzTimeout(60_000));
});

describe("fuzz: captures long enough for the JavaScript path", () => {
  let keys: { privateKey: Uint8Array; publicKey: Uint8Array };
  beforeAll(async () => { keys = await generateKeyPair(); });

  it("one keystroke per block, 1030-1300 blocks, damaged past block 1024: exactly the blocks before the damage", async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1030, max: 1300 }), fc.nat(), fc.nat(), fc.nat(7), fc.boolean(), async (count, whereRaw, byteRaw, bit, swap) => {
      const packets: Packet[] = Array.from({ length: count }, (_, i) => ({ source: (i % 2) as 0 | 1, code: 0, elapsedMicros: i * 1000, data: Buffer.from(`k${i}`) }));
      const blocks = packets.map((p) => encodePackets([p]));
      const cap = await buildCapture(keys.publicKey, blocks);
      const where = 1025 + (whereRaw % (count - 1026));
      const b = cap.blocks.map((x) => Buffer.from(x));
      if (swap) [b[where], b[where + 1]] = [b[where + 1]!, b[where]!];
      else { const i = 4 + (byteRaw % (b[where]!.length - 4)); b[where]![i] = b[where]![i]! ^ (1 << bit); }
      const file = Buffer.concat([cap.header, ...b]);
      const s = await openCapture("f.log", { privateKey: keys.privateKey, source: asSource([file]) });
      const got: Packet[] = [];
      for await (const batch of s.batches()) for (const p of batch) got.push({ ...p, data: Uint8Array.from(p.data) });
      expect(s.outcome.error?.code).toBe(ErrorCode.BlockAuth);
      expect(s.outcome.error?.blockIndex).toBe(where);
      expect(got.length).toBe(where);
      expect(isPrefixOf(got, packets)).toBe(true);
    }), fuzzParams(12, 0.01));
  }, fuzzTimeout(90_000));
});
