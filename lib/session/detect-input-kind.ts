import { BadHeaderError, ErrorCode } from "../errors.js";
import { isKeyText, keyGivenAsLogError, MAX_KEY_TEXT_BYTES } from "../crypto/keys.js";
import type { SessionSourceKind } from "./model.js";
import { readHead } from "./read-chunks.js";

// Apart from open-any.ts, which loads every reader (yauzl among them), so inspect and decrypt can
// use otherKindError and stay light.

/**
 * Tells what kind of input `path` is from its first bytes: a zip by its PK magic, asciicast by a
 * JSON header line with "version", a Logpush export by gzip magic or a JSON line with a Payload
 * (or a folder, when `logpush` is asked for); anything else is taken for an encrypted capture.
 *
 * @example await detectInputKind("session.cast") === "asciicast"
 */
export async function detectInputKind(path: string, opts: { logpush?: boolean; logpushSession?: string; swapAdvice?: string } = {}): Promise<SessionSourceKind> {
  if (opts.logpush || opts.logpushSession !== undefined) return "logpush";
  const head = await readHead(path, 4096, "input");
  if (head.length === 0) {
    throw new BadHeaderError(`${path} is empty; it holds no session (was the download interrupted?).`, { file: path }, ErrorCode.EmptyFile);
  }
  if (head.length <= MAX_KEY_TEXT_BYTES && isKeyText(Buffer.from(head))) throw keyGivenAsLogError(path, opts.swapAdvice);
  if (head[0] === 0x50 && head[1] === 0x4b && (head[2] === 0x03 || head[2] === 0x05) && (head[3] === 0x04 || head[3] === 0x06)) return "zip";
  if (head[0] === 0x1f && head[1] === 0x8b) return "logpush";
  const text = head.toString("utf8").replace(/^\uFEFF/, "").trimStart();
  if (text.startsWith("{")) {
    const first = text.split("\n", 1)[0]!;
    if (/"(Payload|SessionID|ProgramID)"\s*:/.test(first)) return "logpush";
    return "asciicast";
  }
  return "capture";
}

const KIND_NAMES: Record<Exclude<SessionSourceKind, "capture">, string> = {
  zip: "a decrypted zip",
  asciicast: "an asciicast recording",
  logpush: "a Logpush export",
};

/**
 * For a file given where an encrypted capture belongs (decrypt, inspect) whose header did not
 * read: the one sentence saying what it really is, when detectInputKind knows (a zip, a .cast or
 * a Logpush file), instead of the capture reader's header arithmetic; null otherwise.
 *
 * @example throw (await otherKindError("s.cast")) ?? err // "s.cast is an asciicast recording, not an encrypted capture; ..."
 */
export async function otherKindError(path: string): Promise<BadHeaderError | null> {
  let kind: SessionSourceKind;
  try { kind = await detectInputKind(path); } catch { return null; }
  if (kind === "capture") return null;
  return new BadHeaderError(`${path} is ${KIND_NAMES[kind]}, not an encrypted capture; it needs no decrypting: use ssh-log replay or ssh-log export on it.`, { file: path, offset: 0 });
}
