import { BadHeaderError, UsageError } from "../errors.js";
import { parseHeader } from "../format/header.js";
import { DEFAULT_LIMITS } from "../format/limits.js";
import type { KeyWarning } from "../crypto/keys.js";
import type { Session } from "./model.js";
import { detectInputKind } from "./detect-input-kind.js";
import { openAsciicast } from "./open-asciicast.js";
import { openCapture } from "./open-capture.js";
import { openCaptureFile } from "./open-capture-file.js";
import { openLogpushPayload } from "./open-logpush-payload.js";
import { openZip } from "./open-zip.js";
import { readHead } from "./read-chunks.js";

export { detectInputKind } from "./detect-input-kind.js";

export interface OpenSessionOptions {
  /** Private key file, for encrypted captures. */
  keyPath?: string;
  /** Raw 32-byte private key, for encrypted captures (instead of keyPath). */
  privateKey?: Uint8Array;
  /** Read `path` as a Logpush ssh_logs export (file or folder) and open this SessionID or ProgramID. */
  logpushSession?: string;
  /** Read `path` as a Logpush export even without logpushSession (it must then hold one program). */
  logpush?: boolean;
  /** "lenient" (default): damage ends reading with `outcome.error`; "strict": throws. */
  mode?: "lenient" | "strict";
  /** Receives warnings about the key file (loose permissions). */
  warn?: KeyWarning;
  /** How the caller takes a key and a log, named when they were swapped (e.g. "-i KEY -l LOG"). */
  swapAdvice?: string;
}

/**
 * Opens any input ssh-log reads as a Session: an encrypted capture (needs `keyPath` or
 * `privateKey`), a zip written by ssh-log or ssh-log-cli decrypt, an asciicast v2 file, or one
 * program of a Logpush ssh_logs export. The kind is told from the file's first bytes
 * (see detectInputKind); every later step (export, replay, audit) works the same on all of them.
 *
 * @example
 *   const s = await openSession("session.log", { keyPath: "sshkey" });
 *   const z = await openSession("session.log-decrypted.zip");
 *   const l = await openSession("ssh_logs/20261001", { logpushSession: "5fbec211-0" });
 */
export async function openSession(path: string, opts: OpenSessionOptions = {}): Promise<Session> {
  const kind = await detectInputKind(path, opts);
  switch (kind) {
    case "zip":
      return openZip(path);
    case "asciicast":
      return openAsciicast(path, { mode: opts.mode });
    case "logpush":
      return openLogpushPayload(path, opts.logpushSession);
    case "capture": {
      if (opts.privateKey) return openCapture(path, { privateKey: opts.privateKey, mode: opts.mode });
      if (opts.keyPath === undefined) {
        if (!mayBeCapture(await readHead(path, 4096, "input"))) {
          throw new BadHeaderError(`${path} is not an encrypted capture, a decrypted zip, a .cast or a Logpush file, so ssh-log cannot read it; check the path.`, { file: path, offset: 0 });
        }
        throw new UsageError(`${path} is an encrypted capture (not a zip, .cast or Logpush file), so it needs its private key; pass it with -i KEY.`, { file: path });
      }
      return openCaptureFile(path, opts.keyPath, { mode: opts.mode, warn: opts.warn, swapAdvice: opts.swapAdvice });
    }
  }
}

/**
 * Whether a file's first bytes can begin a capture: a u32 header length from 1 to the header limit,
 * then a header that parses (or, when the head holds only part of it, base64 so far). Fewer than 4
 * bytes cannot tell, and count as a (cut) capture, as the capture reader treats them.
 *
 * @example mayBeCapture(Buffer.from("hello\n")) === false // "hell" would be a 1.7 GB header
 */
function mayBeCapture(head: Buffer): boolean {
  if (head.length < 4) return true;
  const n = head.readUInt32BE(0);
  if (n === 0 || n > DEFAULT_LIMITS.maxHeaderBytes) return false;
  const header = head.subarray(4, 4 + n);
  if (header.length < n) return /^[A-Za-z0-9+/=\s]*$/.test(header.toString("latin1"));
  try {
    parseHeader(header, "");
    return true;
  } catch {
    return false;
  }
}
