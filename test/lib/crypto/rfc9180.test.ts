import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createSuite, exactBuffer, publicKeyOf } from "../../../lib/crypto/suite.js";
import { NativeChaCha20Poly1305Context } from "../../../lib/crypto/aead.js";

const v = JSON.parse(readFileSync(new URL("../../vectors/rfc9180-a2.json", import.meta.url), "utf8"));
const hex = (s: string) => Uint8Array.from(Buffer.from(s, "hex"));

describe("RFC 9180 A.2 known answers (X25519, HKDF-SHA256, ChaCha20-Poly1305)", () => {
  it("the recipient's key schedule yields the published key and base_nonce and opens the ciphertext", async () => {
    const { suite, aead } = createSuite();
    const recipientKey = await suite.kem.importKey("raw", exactBuffer(hex(v.skRm)), false);
    const ctx = await suite.createRecipientContext({ recipientKey, enc: exactBuffer(hex(v.enc)), info: exactBuffer(hex(v.info)) });
    const enc0 = v.encryptions[0];
    const pt = await ctx.open(exactBuffer(hex(enc0.ct)), exactBuffer(hex(enc0.aad)));
    expect(Buffer.from(pt).toString("hex")).toBe(enc0.pt);
    expect(aead.lastContext!.key.toString("hex")).toBe(v.key);
    expect(aead.lastContext!.firstNonce!.toString("hex")).toBe(v.base_nonce);
  });

  it("the native AEAD seals the published ciphertext from the published key and nonce", () => {
    const ctx = new NativeChaCha20Poly1305Context(hex(v.key));
    const enc0 = v.encryptions[0];
    expect(ctx.sealSync(hex(enc0.nonce), hex(enc0.pt), hex(enc0.aad)).toString("hex")).toBe(enc0.ct);
    const flipped = hex(enc0.ct);
    flipped[0]! ^= 1;
    expect(ctx.openSync(hex(enc0.nonce), flipped, hex(enc0.aad))).toBeNull();
  });

  it("derives the published public keys from the private ones", () => {
    expect(Buffer.from(publicKeyOf(hex(v.skRm))).toString("hex")).toBe(v.pkRm);
    expect(Buffer.from(publicKeyOf(hex(v.skEm))).toString("hex")).toBe(v.pkEm);
  });
});
