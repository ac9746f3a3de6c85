import { open } from "node:fs/promises";
import { BadHeaderError, SshLogError, SwappedArgumentsError, fsError } from "../errors.js";
import { decodeKeyText, type KeyWarning, readPrivateKeyFile } from "../crypto/keys.js";
import type { Session } from "./model.js";
import { openCapture, type OpenCaptureOptions } from "./open-capture.js";

/** Reads the first bytes of a file (for telling a key from a capture). */
async function head(path: string, n: number): Promise<Buffer> {
  const fh = await open(path, "r");
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * Opens a capture file with a private key file, as the CLI does: reads the key (refusing a
 * capture or a public key in its place), then the capture (saying so when it is really a key).
 *
 * @example const session = await openCaptureFile("session.log", "sshkey");
 */
export async function openCaptureFile(logPath: string, keyPath: string, opts: Omit<OpenCaptureOptions, "privateKey"> & { warn?: KeyWarning } = {}): Promise<Session> {
  const privateKey = await readPrivateKeyFile(keyPath, opts.warn);
  try {
    return await openCapture(logPath, { ...opts, privateKey });
  } catch (err) {
    if (err instanceof BadHeaderError || (err instanceof SshLogError && err.code === "ERR_TRUNCATED" && err.blockIndex === undefined)) {
      let start: Buffer | null = null;
      try { start = await head(logPath, 128); } catch (e) { throw fsError(e, logPath, "capture"); }
      const asKey = decodeKeyText(start.toString("latin1"));
      start.fill(0);
      if (asKey !== null) {
        asKey.fill(0); // the "log" was a key: do not keep it
        throw new SwappedArgumentsError(`${logPath} is a key file, not a session capture; the key and the log were given the wrong way round (use -i KEY -l LOG, or -i LOG -k KEY).`, { file: logPath });
      }
    }
    throw err;
  } finally {
    privateKey.fill(0);
  }
}
