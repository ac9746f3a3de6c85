/**
 * Opens a recording with whichever of several private keys it was encrypted for: auditors often
 * hold one key per environment or per period, and recordings of each sit side by side.
 */
import { ErrorCode, SshLogError, WrongKeyError } from "../../lib/errors.js";
import { detectInputKind, openSession } from "../../lib/session/open-any.js";
import { openCaptureFile } from "../../lib/session/open-capture-file.js";
import type { Session } from "../../lib/session/model.js";

/** The key that last opened each capture: tried first the next time (an order, never a limit). */
const keyThatOpened = new Map<string, string>();

/**
 * Opens `path` (any input openSession reads); an encrypted capture is tried with each key in turn,
 * stopping at the first whose block 0 opens, and starting with the one that opened it before.
 *
 * @example const s = await openWithKeys("session.log", ["prod-key", "staging-key"]);
 */
export async function openWithKeys(path: string, keyPaths: readonly string[]): Promise<Session> {
  if (keyPaths.length <= 1) return openSession(path, keyPaths.length === 1 ? { keyPath: keyPaths[0]!, warn: () => {} } : {});
  if (await detectInputKind(path) !== "capture") return openSession(path);
  const known = keyThatOpened.get(path);
  const order = known !== undefined && keyPaths.includes(known) ? [known, ...keyPaths.filter((k) => k !== known)] : keyPaths;
  for (const keyPath of order) {
    try {
      const session = await openCaptureFile(path, keyPath, { warn: () => {} });
      keyThatOpened.set(path, keyPath);
      return session;
    } catch (err) {
      if (!(err instanceof SshLogError) || err.code !== ErrorCode.WrongKey) throw err;
    }
  }
  throw new WrongKeyError(`${path} was not encrypted for any of the ${keyPaths.length} keys given; add the private key whose .pub was uploaded when it was recorded (-i KEY, once per key).`, { file: path });
}
