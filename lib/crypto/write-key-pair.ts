import { chmod, link, lstat, open, rename, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { ErrorCode, OutputError, UnreadableError, fsError } from "../errors.js";
import { checkOutputFolder, tempPathFor } from "../outputs/atomic-file.js";
import { encodeKeyText } from "./keys.js";
import { generateKeyPair } from "./suite.js";

export interface WrittenKeyPair {
  privatePath: string;
  publicPath: string;
  /** The public key's file text: what an administrator pastes into the dashboard. */
  publicKeyText: string;
}

/** Writes `text` to a new temp file with `mode`, then moves it to `path` (atomically). */
async function writeKeyFile(path: string, text: string, mode: number, force: boolean): Promise<void> {
  const tmp = tempPathFor(path, "key");
  const fh = await open(tmp, "wx", mode);
  try {
    try {
      await fh.writeFile(text, "latin1");
      await fh.sync();
    } finally {
      await fh.close();
    }
    await chmod(tmp, mode); // the umask may have narrowed the public key's 0644
  } catch (err) {
    await unlink(tmp).catch(() => undefined); // a full disk must not leave half a key behind
    throw err;
  }
  try {
    if (force) await rename(tmp, path);
    else await link(tmp, path); // link fails with EEXIST: no window where an existing key is replaced
  } finally {
    if (!force) await unlink(tmp).catch(() => undefined);
  }
}

function existsError(path: string, publicPath: string, cause?: unknown): OutputError {
  return new OutputError(`A key already exists at ${path} or ${publicPath}; ssh-log keygen never replaces a key (recordings encrypted to it would become unreadable): choose another name with -o, or pass --force if you really mean to replace it.`, { file: path, cause }, "ERR_OUTPUT_EXISTS");
}

/**
 * Makes an X25519 key pair and writes it as ssh-log-cli does: `path` holds the base64 private key
 * (mode 0600), `path.pub` the base64 public key (mode 0644), no trailing newline. Refuses to replace
 * existing files unless `force`.
 *
 * @example const { publicKeyText } = await writeKeyPair("sshkey");
 */
export async function writeKeyPair(path: string, opts: { force?: boolean } = {}): Promise<WrittenKeyPair> {
  const publicPath = `${path}.pub`;
  await checkOutputFolder(path);
  if (await stat(path).then((s) => s.isDirectory(), () => false)) {
    throw new UnreadableError(ErrorCode.IsDirectory, `${path} is a folder, not a key file; give keygen the path of a file, such as ${join(path, "sshkey")}.`, { file: path });
  }
  const exists = async (p: string): Promise<boolean> => lstat(p).then(() => true, () => false);
  if (opts.force !== true && ((await exists(path)) || (await exists(publicPath)))) {
    throw existsError(path, publicPath);
  }
  const { privateKey, publicKey } = await generateKeyPair();
  const publicKeyText = encodeKeyText(publicKey);
  let wrotePrivate = false;
  try {
    await writeKeyFile(path, encodeKeyText(privateKey), 0o600, opts.force === true);
    wrotePrivate = true;
    privateKey.fill(0); // keys in memory are kept no longer than needed
    await writeKeyFile(publicPath, publicKeyText, 0o644, opts.force === true);
  } catch (err) {
    privateKey.fill(0);
    // A private key without its .pub is useless and would block the next run: remove the one we made.
    if (wrotePrivate && opts.force !== true) await unlink(path).catch(() => undefined);
    if ((err as NodeJS.ErrnoException).code === "EEXIST") throw existsError(path, publicPath, err);
    throw fsError(err, path, "key file");
  }
  return { privatePath: path, publicPath, publicKeyText };
}
