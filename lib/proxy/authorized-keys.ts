import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { fsError } from "../errors.js";

/** One usable line of an OpenSSH authorized_keys file. */
export interface AuthorizedKey {
  /** Key type as written, e.g. "ssh-ed25519". */
  type: string;
  /** The public key blob (SSH wire format), as the client presents it. */
  blob: Buffer;
  /** OpenSSH's fingerprint: "SHA256:" and the unpadded base64 of the blob's SHA-256. */
  fingerprint: string;
  /** The comment after the key ("" when there is none). */
  comment: string;
  /** 1-based line number, for messages. */
  line: number;
}

/** A line the proxy will not use, and why (logged once when the proxy starts). */
export interface SkippedLine { line: number; reason: string }

const KEY_TYPE = /^(ssh-ed25519|ssh-rsa|ssh-dss|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com)$/;

/**
 * OpenSSH's fingerprint of a public key blob.
 *
 * @example fingerprintOf(blob)  // "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s"
 */
export function fingerprintOf(blob: Uint8Array): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/**
 * Parses authorized_keys text. Lines with options (`command=`, `from=`, `restrict`, ...) are
 * skipped, not half-honoured: the proxy cannot enforce them, and ignoring one would grant more
 * than the file says.
 *
 * @example parseAuthorizedKeys("ssh-ed25519 AAAAC3... alice@laptop\n").keys[0].comment  // "alice@laptop"
 */
export function parseAuthorizedKeys(text: string): { keys: AuthorizedKey[]; skipped: SkippedLine[] } {
  const keys: AuthorizedKey[] = [];
  const skipped: SkippedLine[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const parts = line.split(/\s+/);
    const [type, b64] = parts;
    if (!KEY_TYPE.test(type!)) {
      skipped.push({ line: i + 1, reason: /^[a-z0-9@.-]+$/i.test(type!) && parts.length >= 2 && /^AAAA/.test(parts[1]!) ? `key type ${type} is not supported` : "it has options (command=, from=, restrict, ...) that the proxy cannot enforce" });
      return;
    }
    const blob = b64 && /^[A-Za-z0-9+/]+={0,2}$/.test(b64) ? Buffer.from(b64, "base64") : null;
    // The blob starts with its own type as an SSH string: a cheap check that the base64 is a key.
    if (!blob || blob.length < 4 + type!.length || blob.readUInt32BE(0) !== type!.length || blob.subarray(4, 4 + type!.length).toString("latin1") !== type) {
      skipped.push({ line: i + 1, reason: "its key is not valid base64 of a public key" });
      return;
    }
    keys.push({ type: type!, blob, fingerprint: fingerprintOf(blob), comment: parts.slice(2).join(" "), line: i + 1 });
  });
  return { keys, skipped };
}

/**
 * Reads the authorized_keys file for `user`: `pathPattern` may hold `%u` (as OpenSSH's
 * AuthorizedKeysFile does), replaced by the login name. A missing per-user file means no keys.
 *
 * @example await readAuthorizedKeys("/etc/ssh-log/keys/%u", "alice")
 */
export async function readAuthorizedKeys(pathPattern: string, user: string): Promise<{ path: string; keys: AuthorizedKey[]; skipped: SkippedLine[] }> {
  const perUser = pathPattern.includes("%u");
  // A login name cannot walk out of the folder.
  if (perUser && !/^[A-Za-z0-9._-]+$/.test(user)) return { path: pathPattern, keys: [], skipped: [] };
  const path = perUser ? pathPattern.replaceAll("%u", user) : pathPattern;
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if (perUser && (err as NodeJS.ErrnoException).code === "ENOENT") return { path, keys: [], skipped: [] };
    throw fsError(err, path, "authorized keys file");
  }
  return { path, ...parseAuthorizedKeys(text) };
}
