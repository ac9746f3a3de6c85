/**
 * The file source as `ssh-log view FOLDER -i KEY` uses it: captures opened with the key, each
 * read through the terminal analyser for its commands.
 */
import { openCaptureFile } from "../../lib/session/open-capture-file.js";
import type { Session } from "../../lib/session/model.js";
import { UsageError } from "../../lib/errors.js";
import { FileSessionSource } from "./file-source.js";
import { indexSession } from "./index-session.js";

/** Opens one recording with the key (the key is required for encrypted captures). */
async function openFile(path: string, keyPath: string | null): Promise<Session> {
  if (keyPath === null) throw new UsageError(`${path} is encrypted: run ssh-log view again with -i KEY to read it.`, { file: path });
  return openCaptureFile(path, keyPath);
}

/**
 * A SessionSource over a folder (or one file) of recordings.
 *
 * @example const source = await openFileSource("recordings/", "sshkey");
 */
export function openFileSource(path: string, keyPath: string | null, opts: { background?: boolean } = {}): Promise<FileSessionSource> {
  return FileSessionSource.open(path, { keyPath, openFile, indexSession, ...opts });
}
