import { unlink } from "node:fs/promises";
import { Source } from "../format/packets.js";
import type { ReadOutcome, Session } from "../session/model.js";
import { sessionEndLine, sessionStartLine, TimingWriter } from "./script-format.js";
import { tempPathFor, writeAtomically } from "./atomic-file.js";
import { Spool, StoreZipWriter } from "./zip-store.js";

/** The entries of a decrypted zip, as ssh-log-cli names them. */
export const ZIP_ENTRIES = {
  pty: ["term_data.txt", "term_times.txt"],
  exec: ["data_from_client.txt", "data_from_server.txt"],
} as const;

/** What a zip write produced. */
export interface ZipResult {
  path: string;
  entries: Array<{ name: string; bytes: number }>;
  outcome: ReadOutcome;
}

/**
 * The default output name, as ssh-log-cli chooses it: `<input>-decrypted.zip`.
 *
 * @example defaultZipPath("logs/session.log") === "logs/session.log-decrypted.zip"
 */
export function defaultZipPath(input: string): string {
  return `${input}-decrypted.zip`;
}

/**
 * Writes the zip ssh-log-cli writes for a session, streaming: the first entry goes straight into
 * the zip while the second is spooled (in memory up to 1 MiB, then to a temporary file beside the
 * output) and appended after, so memory does not grow with the session. The zip is written to a
 * temporary name and renamed; a session that stops early (partial) still gets its zip of what
 * authenticated, and `outcome.error` says why it stopped.
 *
 * @example const { outcome } = await writeDecryptedZip(session, "session.log-decrypted.zip");
 */
export async function writeDecryptedZip(session: Session, outPath: string): Promise<ZipResult> {
  return writeAtomically(outPath, async (tmp) => {
    const spool = new Spool(tempPathFor(outPath, "spool"));
    const zip = await StoreZipWriter.create(tmp);
    const date = new Date(session.info.startedAt * 1000);
    const pty = session.info.pty;
    const [firstName, secondName] = pty ? ZIP_ENTRIES.pty : ZIP_ENTRIES.exec;
    let firstBytes = 0;
    let done = false;
    try {
      let p = zip.begin(firstName, 0o755, date);
      if (p) await p;
      if (pty) {
        const timing = new TimingWriter();
        const startLine = Buffer.from(sessionStartLine(session.info.startedAt, pty), "utf8");
        firstBytes += startLine.length;
        p = zip.write(startLine);
        if (p) await p;
        for await (const batch of session.batches()) {
          for (const ev of batch) {
            if (ev.source !== Source.Server) continue;
            firstBytes += ev.data.length;
            p = zip.write(ev.data);
            if (p) await p;
            p = spool.writeString(timing.line(ev.elapsedMicros, ev.data.length));
            if (p) await p;
          }
        }
        const endLine = Buffer.from(sessionEndLine(session.info.exit), "utf8");
        firstBytes += endLine.length;
        p = zip.write(endLine);
        if (p) await p;
      } else {
        for await (const batch of session.batches()) {
          for (const ev of batch) {
            if (ev.source === Source.Client) {
              firstBytes += ev.data.length;
              p = zip.write(ev.data);
            } else {
              p = spool.write(ev.data);
            }
            if (p) await p;
          }
        }
      }
      await zip.end();
      p = zip.begin(secondName, 0o755, date);
      if (p) await p;
      await spool.replay((chunk) => zip.write(chunk));
      await zip.end();
      await zip.finish();
      done = true;
    } finally {
      if (!done) await zip.abort();
      await spool.close().catch(() => undefined);
      await unlink(spool.path).catch(() => undefined);
    }
    return { path: outPath, entries: [{ name: firstName, bytes: firstBytes }, { name: secondName, bytes: spool.size }], outcome: session.outcome };
  }, { source: session.info.path });
}
