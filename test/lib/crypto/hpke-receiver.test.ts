import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { recipientKeys } from "../../../lib/crypto/hpke-receiver.js";
import { BlockSealer, createSuite, exactBuffer, generateKeyPair } from "../../../lib/crypto/suite.js";
import { BlockOpener } from "../../../lib/crypto/block-opener.js";

const v = JSON.parse(readFileSync(new URL("../../vectors/rfc9180-a2.json", import.meta.url), "utf8")) as Record<string, string> & { encryptions: Array<Record<string, string>> };
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, "hex"));

describe("recipientKeys (RFC 9180 base mode on node:crypto)", () => {
  it("derives RFC 9180 A.2's published key and base_nonce", () => {
    const k = recipientKeys(hex(v.skRm!), hex(v.enc!), hex(v.info!));
    expect(k.key.toString("hex")).toBe(v.key);
    expect(k.baseNonce.toString("hex")).toBe(v.base_nonce);
  });

  it("agrees with @hpke/core's recipient context for fresh keys and the empty info the format uses", async () => {
    for (let i = 0; i < 5; i++) {
      const { privateKey, publicKey } = await generateKeyPair();
      const sealer = await BlockSealer.create(publicKey);
      const block0 = await sealer.seal(new Uint8Array([1, 2, 3]));
      const { suite, aead } = createSuite();
      const ctx = await suite.createRecipientContext({ recipientKey: await suite.kem.importKey("raw", exactBuffer(privateKey), false), enc: exactBuffer(sealer.enc) });
      await ctx.open(exactBuffer(block0));
      const mine = recipientKeys(privateKey, sealer.enc);
      expect(mine.key.equals(aead.lastContext!.key)).toBe(true);
      expect(mine.baseNonce.equals(aead.lastContext!.firstNonce!)).toBe(true);
    }
  });

  it("refuses a small-order encapsulated key (the all-zero shared secret)", () => {
    const sk = hex(v.skRm!);
    expect(() => recipientKeys(sk, new Uint8Array(32))).toThrow();
    const one = new Uint8Array(32); one[0] = 1;
    expect(() => recipientKeys(sk, one)).toThrow();
  });
});

describe("BlockOpener on the native key schedule", () => {
  it("opens what @hpke/core's sender sealed, and a wrong key fails at block 0", async () => {
    const { privateKey, publicKey } = await generateKeyPair();
    const other = await generateKeyPair();
    const sealer = await BlockSealer.create(publicKey);
    const blocks = [await sealer.seal(Buffer.from("first")), sealer.sealSync(Buffer.from("second")), sealer.sealSync(Buffer.alloc(70_000, 7))];
    const opener = await BlockOpener.create(privateKey, sealer.enc);
    expect((await opener.openFirst(blocks[0]!))!.toString()).toBe("first");
    expect(opener.open(blocks[1]!)!.toString()).toBe("second");
    expect(opener.open(blocks[2]!)!.equals(Buffer.alloc(70_000, 7))).toBe(true);
    const wrong = await BlockOpener.create(other.privateKey, sealer.enc);
    expect(await wrong.openFirst(blocks[0]!)).toBeNull();
    expect(() => wrong.open(blocks[1]!)).toThrow();
  });
});
