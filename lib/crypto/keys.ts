import { createPublicKey, diffieHellman, generateKeyPairSync } from "node:crypto";
import { stat } from "node:fs/promises";
import { BadKeyError, SwappedArgumentsError } from "../errors.js";
import { readHead } from "../session/read-chunks.js";

/** An X25519 key is 32 bytes; its file holds 44 characters of padded base64. */
export const X25519_KEY_BYTES = 32;

/**
 * Decodes key-file text: standard base64 of 32 bytes, surrounding whitespace ignored.
 * Returns null when the text is not that.
 *
 * @example decodeKeyText("IHeUO...=\n")?.length === 32
 */
export function decodeKeyText(text: string): Uint8Array | null {
  // A byte-order mark before the text (a key saved by a Windows editor): as a string, or its
  // UTF-8 bytes read as latin1.
  const t = text.replace(/^(?:\uFEFF|\xEF\xBB\xBF)/, "").trim();
  if (t.length !== 44 || !/^[A-Za-z0-9+/]{43}=$/.test(t)) return null;
  const bytes = Buffer.from(t, "base64");
  const key = bytes.length === X25519_KEY_BYTES ? Uint8Array.from(bytes) : null;
  bytes.fill(0); // a small Buffer lives in Node's shared pool: no copy of a key may stay there
  return key;
}

/** Encodes a raw key as its file text (no newline, as ssh-log-cli writes it). */
export function encodeKeyText(key: Uint8Array): string {
  const copy = Buffer.from(key);
  const text = copy.toString("base64");
  copy.fill(0);
  return text;
}

/** Warnings found while reading a key (e.g. loose permissions), for the CLI to print. */
export type KeyWarning = (message: string) => void;

/**
 * Reads a private key file. Says, in one sentence, when the file is a capture (the arguments were
 * swapped), a public key, or not a key at all; warns when others can read it, as OpenSSH does.
 * `swapAdvice` is how the caller takes a key and a log, for that sentence (see swappedAdvice).
 *
 * @example const sk = await readPrivateKeyFile("sshkey");
 */
export async function readPrivateKeyFile(path: string, warn?: KeyWarning, swapAdvice?: string): Promise<Uint8Array> {
  const bytes = await readKeyBytes(path, "key file");
  const key = decodeKeyText(bytes.toString("latin1"));
  const swapped = key === null && bytes.length >= 8 && looksLikeCapture(bytes);
  bytes.fill(0); // the file's text is the key: keep no copy we can wipe
  if (key === null) {
    if (swapped) {
      throw new SwappedArgumentsError(`${path} is a session capture, not a key; ${swappedAdvice(swapAdvice)}.`, { file: path });
    }
    const what = bytes.length === 0 ? "is empty" : "is not a private key file";
    throw new BadKeyError(`${path} ${what}: it should hold 44 base64 characters of a 32-byte X25519 key, as ssh-log keygen writes; check the path.`, { file: path });
  }
  if (path.endsWith(".pub")) {
    throw new BadKeyError(`${path} is a public key; decrypting needs the private key file (the same name without .pub).`, { file: path });
  }
  if (warn) {
    try {
      const st = await stat(path);
      if ((st.mode & 0o077) !== 0) {
        warn(`Warning: the private key ${path} is readable by other users (mode ${(st.mode & 0o777).toString(8)}); run chmod 600 ${path}.`);
      }
    } catch { /* stat failed after a successful read: nothing to warn about */ }
  }
  return key;
}

/**
 * Reads a public key file (the `.pub` text), or accepts the text itself.
 *
 * @example const pk = await readPublicKeyFile("sshkey.pub");
 */
export async function readPublicKeyFile(path: string): Promise<Uint8Array> {
  const bytes = await readKeyBytes(path, "public key file");
  const key = decodeKeyText(bytes.toString("latin1"));
  if (key === null) {
    throw new BadKeyError(`${path} ${bytes.length === 0 ? "is empty" : "is not a public key file"}: it should hold 44 base64 characters of a 32-byte X25519 key, as ssh-log keygen writes to NAME.pub; check the path.`, { file: path });
  }
  if (!isUsablePublicKey(key)) throw smallOrder(path);
  // Both halves are 44 base64 characters: a private key given here is told only by its .pub beside
  // it, which holds its public half. Recordings made for it could never be decrypted.
  if (!path.endsWith(".pub")) {
    let beside: Uint8Array | null = null;
    try { beside = decodeKeyText((await readKeyBytes(`${path}.pub`, "public key file")).toString("latin1")); } catch { /* none beside it */ }
    if (beside !== null) {
      const { publicKeyOf } = await import("./suite.js");
      if (Buffer.from(publicKeyOf(key)).equals(beside)) {
        key.fill(0);
        throw new BadKeyError(`${path} is a private key, not a public one (its public key is ${path}.pub); recordings are encrypted to the public key, so pass ${path}.pub.`, { file: path });
      }
    }
  }
  return key;
}

const smallOrder = (path?: string): BadKeyError => new BadKeyError(`${path ?? "The public key"}${path ? " holds a public key that" : ""} cannot receive recordings: it is a point of small order (nothing encrypted to it would be secret); make a key pair with ssh-log keygen.`, path ? { file: path } : {});

/**
 * False for X25519 public keys of small order (all-zero and the few points like it): with such a
 * key every shared secret is zero, so nothing sealed to it would be secret. HPKE refuses them too.
 *
 * @example isUsablePublicKey(new Uint8Array(32)) === false
 */
export function isUsablePublicKey(publicKey: Uint8Array): boolean {
  try {
    const pub = createPublicKey({ key: { kty: "OKP", crv: "X25519", x: Buffer.from(publicKey).toString("base64url") }, format: "jwk" });
    const secret = diffieHellman({ privateKey: generateKeyPairSync("x25519").privateKey, publicKey: pub });
    return secret.some((b) => b !== 0);
  } catch {
    return false; // OpenSSL refuses the all-zero result itself
  }
}

/** Public key material as the recorder accepts it: `.pub` text or the raw 32 bytes. */
export function parsePublicKey(input: string | Uint8Array): Uint8Array {
  if (typeof input === "string") {
    const k = decodeKeyText(input);
    if (k === null) throw new BadKeyError("The public key is not 44 base64 characters of a 32-byte X25519 key; pass the text of the .pub file that ssh-log keygen wrote.");
    if (!isUsablePublicKey(k)) throw smallOrder();
    return k;
  }
  // Anything else (undefined, a number, an ArrayBuffer) read as "is undefined bytes", or a TypeError.
  if (!(input instanceof Uint8Array)) throw new BadKeyError(`The public key is ${input === null || input === undefined ? String(input) : `a ${typeof input}`}, not the text of a .pub file or its raw 32 bytes; pass readFileSync("sshkey.pub", "utf8").`);
  if (input.length !== X25519_KEY_BYTES) throw new BadKeyError(`The public key is ${input.length} bytes; an X25519 public key is 32 bytes.`);
  if (!isUsablePublicKey(input)) throw smallOrder();
  return Uint8Array.from(input);
}

/**
 * A key file is 44 bytes: reading its first 4 KiB covers it, and never reads a big file whole. It
 * is read once, so it may be a pipe (`-i <(vault read ...)`).
 */
function readKeyBytes(path: string, role: string): Promise<Buffer> {
  return readHead(path, 4096, role, { once: true });
}

/**
 * The most bytes a file may hold to be taken for a key file's text (44 characters and some
 * whitespace). Read one more than this to tell a longer file from a key.
 */
export const MAX_KEY_TEXT_BYTES = 128;

/**
 * Whether a file's first bytes are a key file's text: the check that turns "not a capture" into
 * "the key and the log were given the wrong way round". `head` is wiped either way.
 *
 * @example if (isKeyText(await readHead(log, MAX_KEY_TEXT_BYTES + 1, "capture"))) throw keyGivenAsLogError(log);
 */
export function isKeyText(head: Buffer): boolean {
  const key = head.length <= MAX_KEY_TEXT_BYTES ? decodeKeyText(head.toString("latin1")) : null;
  head.fill(0);
  key?.fill(0);
  return key !== null;
}

/**
 * The one sentence for a key file given where the session log belongs. `swapAdvice` names the
 * caller's own options (e.g. "-i KEY -l LOG"); without it the sentence says only to swap them.
 */
export function keyGivenAsLogError(path: string, swapAdvice?: string): SwappedArgumentsError {
  return new SwappedArgumentsError(`${path} is a key file, not a session; ${swappedAdvice(swapAdvice)}.`, { file: path });
}

/**
 * The end of both swapped-arguments sentences: the options to use when the caller names them (only
 * the command knows its flags: replay has no -k, decrypt does), else just "swap them".
 *
 * @example swappedAdvice("-i KEY -l LOG") // "the key and the log were given the wrong way round (use -i KEY -l LOG)"
 */
function swappedAdvice(swapAdvice: string | undefined): string {
  return `the key and the log were given the wrong way round (${swapAdvice === undefined ? "swap them" : `use ${swapAdvice}`})`;
}

/** A capture starts with a u32 header length whose header is base64 JSON ("eyJ" is `{"`). */
export function looksLikeCapture(bytes: Uint8Array): boolean {
  if (bytes.length < 7) return false;
  const n = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  return n > 0 && n < 1 << 20 && bytes[4] === 0x65 && bytes[5] === 0x79 && bytes[6] === 0x4a;
}

