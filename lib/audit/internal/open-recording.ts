/**
 * Opens a recording for the audit store through the project's one reader of every input
 * (lib/session/open-any.ts): an encrypted capture (with a key), a decrypted zip in ssh-log-cli's
 * layout, or an asciicast file.
 */
import { UsageError } from "../../errors.js";
import type { Session } from "../../session/model.js";
import { openSession } from "../../session/open-any.js";

/** Opens a recording of `kind`; captures need the private key (read once per ingest, not per file). */
export async function openRecording(path: string, kind: "capture" | "zip" | "asciicast", privateKey: Uint8Array | null): Promise<Session> {
  if (kind === "capture" && privateKey === null) throw new UsageError(`${path} is an encrypted capture; pass the private key with -i KEY to index it.`, { file: path });
  return openSession(path, privateKey !== null ? { privateKey } : {});
}
