/**
 * The file source as `ssh-log view FOLDER -i KEY` uses it: any recording the library reads
 * (capture, decrypted zip, asciicast), opened with lib/session/open-any.ts and read through the
 * project's command extraction.
 */
import { FileSessionSource } from "./file-source.js";
import { indexSession } from "./index-session.js";
import { openWithKeys } from "./open-with-keys.js";


/**
 * A SessionSource over a folder (or one file) of recordings.
 *
 * @example const source = await openFileSource("recordings/", ["sshkey"]);
 */
export function openFileSource(path: string, keyPaths: readonly string[], opts: { background?: boolean } = {}): Promise<FileSessionSource> {
  return FileSessionSource.open(path, { keyPaths, openFile: openWithKeys, indexSession, ...opts });
}
