/**
 * Opens a recording with whichever of several private keys it was encrypted for: auditors often
 * hold one key per environment or per period, and recordings of each sit side by side.
 */
import { ErrorCode, SshLogError, WrongKeyError } from "../../lib/errors.js";
import { openSession } from "../../lib/session/open-any.js";
import type { Session } from "../../lib/session/model.js";

/**
 * Opens `path` (any input openSession reads); an encrypted capture is tried with each key in turn,
 * stopping at the first whose block 0 opens.
 *
 * @example const s = await openWithKeys("session.log", ["prod-key", "staging-key"]);
 */
export async function openWithKeys(path: string, keyPaths: readonly string[]): Promise<Session> {
  if (keyPaths.length <= 1) return openSession(path, keyPaths.length === 1 ? { keyPath: keyPaths[0]!, warn: () => {} } : {});
  for (const keyPath of keyPaths) {
    try {
      return await openSession(path, { keyPath, warn: () => {} });
    } catch (err) {
      if (!(err instanceof SshLogError) || err.code !== ErrorCode.WrongKey) throw err;
    }
  }
  throw new WrongKeyError(`${path} was not encrypted for any of the ${keyPaths.length} keys given; add the private key whose .pub was uploaded when it was recorded (-i KEY, once per key).`, { file: path });
}
