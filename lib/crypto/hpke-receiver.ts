import { createHmac, createPrivateKey, createPublicKey, diffieHellman } from "node:crypto";

/**
 * The recipient's side of RFC 9180 base mode for the capture suite (DHKEM(X25519, HKDF-SHA256),
 * HKDF-SHA256, ChaCha20-Poly1305) on node:crypto alone: Decap, then the key schedule, giving the
 * AEAD key and base nonce. Opening needs nothing else, and loading @hpke/core (with the rest of
 * its suites) cost ~25 ms of every `ssh-log decrypt`; the writer's side keeps @hpke/core.
 * Checked against RFC 9180 A.2's published values (test/lib/crypto/hpke-receiver.test.ts).
 */

const KEM_SUITE_ID = Buffer.from([0x4b, 0x45, 0x4d, 0x00, 0x20]); // "KEM" || kem_id 0x0020
const HPKE_SUITE_ID = Buffer.from([0x48, 0x50, 0x4b, 0x45, 0x00, 0x20, 0x00, 0x01, 0x00, 0x03]); // "HPKE" || kem || kdf || aead
const V1 = Buffer.from("HPKE-v1");
const PKCS8_X25519 = Buffer.from("302e020100300506032b656e04220420", "hex");
const SPKI_X25519 = Buffer.from("302a300506032b656e032100", "hex");

function extract(salt: Uint8Array, ikm: Uint8Array): Buffer {
  return createHmac("sha256", salt.length === 0 ? Buffer.alloc(32) : salt).update(ikm).digest();
}

function labeledExtract(suite: Buffer, salt: Uint8Array, label: string, ikm: Uint8Array): Buffer {
  return extract(salt, Buffer.concat([V1, suite, Buffer.from(label), ikm]));
}

/** HKDF-Expand for L <= 32 (one HMAC block), with RFC 9180's labeled info. */
function labeledExpand(suite: Buffer, prk: Uint8Array, label: string, info: Uint8Array, length: number): Buffer {
  const lengthBytes = Buffer.from([length >> 8, length & 0xff]);
  const labeled = Buffer.concat([lengthBytes, V1, suite, Buffer.from(label), info]);
  return createHmac("sha256", prk).update(labeled).update(Buffer.from([1])).digest().subarray(0, length);
}

/** The AEAD key and base nonce of an HPKE context. */
export interface RecipientKeys { key: Buffer; baseNonce: Buffer }

/**
 * Decap and key schedule (RFC 9180 4.1, 5.1) for a recipient private key and an `enc`. Throws
 * when `enc` is not a usable X25519 public key (a small-order point makes the shared secret zero).
 *
 * @example const { key, baseNonce } = recipientKeys(sk, header.encapsulatedKey);
 */
export function recipientKeys(privateKey: Uint8Array, enc: Uint8Array, info: Uint8Array = new Uint8Array(0)): RecipientKeys {
  if (privateKey.length !== 32 || enc.length !== 32) throw new RangeError("X25519 keys are 32 bytes");
  const der = Buffer.concat([PKCS8_X25519, privateKey]);
  const skR = createPrivateKey({ key: der, format: "der", type: "pkcs8" });
  der.fill(0); // a small Buffer lives in Node's shared pool: the raw key must not stay there
  const pkE = createPublicKey({ key: Buffer.concat([SPKI_X25519, enc]), format: "der", type: "spki" });
  const dh = diffieHellman({ privateKey: skR, publicKey: pkE });
  if (dh.every((b) => b === 0)) throw new Error("X25519 produced the all-zero shared secret (a small-order enc)");
  const pkRm = Buffer.from(createPublicKey(skR).export({ format: "jwk" }).x!, "base64url");
  const kemContext = Buffer.concat([enc, pkRm]);
  const eaePrk = labeledExtract(KEM_SUITE_ID, new Uint8Array(0), "eae_prk", dh);
  const sharedSecret = labeledExpand(KEM_SUITE_ID, eaePrk, "shared_secret", kemContext, 32);
  const empty = new Uint8Array(0);
  const pskIdHash = labeledExtract(HPKE_SUITE_ID, empty, "psk_id_hash", empty);
  const infoHash = labeledExtract(HPKE_SUITE_ID, empty, "info_hash", info);
  const context = Buffer.concat([Buffer.from([0x00]), pskIdHash, infoHash]); // mode_base
  const secret = labeledExtract(HPKE_SUITE_ID, sharedSecret, "secret", empty);
  dh.fill(0);
  eaePrk.fill(0);
  sharedSecret.fill(0);
  const key = labeledExpand(HPKE_SUITE_ID, secret, "key", context, 32);
  const baseNonce = labeledExpand(HPKE_SUITE_ID, secret, "base_nonce", context, 12);
  secret.fill(0);
  return { key: Buffer.from(key), baseNonce: Buffer.from(baseNonce) };
}
