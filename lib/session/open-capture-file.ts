import { BadHeaderError, SshLogError } from "../errors.js";
import { isKeyText, keyGivenAsLogError, type KeyWarning, MAX_KEY_TEXT_BYTES, readPrivateKeyFile } from "../crypto/keys.js";
import type { Session } from "./model.js";
import { otherKindError } from "./detect-input-kind.js";
import { openCapture, type OpenCaptureOptions } from "./open-capture.js";
import { readHead } from "./read-chunks.js";

/**
 * Opens a capture file with a private key file, as the CLI does: reads the key (refusing a
 * capture or a public key in its place), then the capture (saying so when it is really a key).
 *
 * @example const session = await openCaptureFile("session.log", "sshkey");
 */
export async function openCaptureFile(logPath: string, keyPath: string, opts: Omit<OpenCaptureOptions, "privateKey"> & { warn?: KeyWarning; swapAdvice?: string } = {}): Promise<Session> {
  const privateKey = await readPrivateKeyFile(keyPath, opts.warn, opts.swapAdvice);
  try {
    return await openCapture(logPath, { ...opts, privateKey });
  } catch (err) {
    if (err instanceof BadHeaderError || (err instanceof SshLogError && err.code === "ERR_TRUNCATED" && err.blockIndex === undefined)) {
      // One byte more than a key's text can hold: a longer file is not taken for a key. A pipe,
      // read already, cannot be looked at again: its own error stands.
      const head = await readHead(logPath, MAX_KEY_TEXT_BYTES + 1, "capture").catch(() => null);
      if (head === null) throw err;
      if (isKeyText(head)) throw keyGivenAsLogError(logPath, opts.swapAdvice);
      throw (await otherKindError(logPath)) ?? err;
    }
    throw err;
  } finally {
    privateKey.fill(0);
  }
}
