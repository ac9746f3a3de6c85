/**
 * The file source as `ssh-log view FOLDER -i KEY` uses it: any recording the library reads
 * (capture, decrypted zip, asciicast), opened with lib/session/open-any.ts and read through the
 * project's command extraction.
 */
import { openSession } from "../../lib/session/open-any.js";
import type { Session } from "../../lib/session/model.js";
import { FileSessionSource } from "./file-source.js";
import { indexSession } from "./index-session.js";

/** Opens one recording; captures need the key (openSession says so when it is missing). */
function openFile(path: string, keyPath: string | null): Promise<Session> {
  return openSession(path, keyPath === null ? {} : { keyPath, warn: () => {} });
}

/**
 * A SessionSource over a folder (or one file) of recordings.
 *
 * @example const source = await openFileSource("recordings/", "sshkey");
 */
export function openFileSource(path: string, keyPath: string | null, opts: { background?: boolean } = {}): Promise<FileSessionSource> {
  return FileSessionSource.open(path, { keyPath, openFile, indexSession, ...opts });
}
