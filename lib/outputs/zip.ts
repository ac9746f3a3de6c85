import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { unlink } from "node:fs/promises";
import { PassThrough, type Writable } from "node:stream";
import { once } from "node:events";
import { ZipArchive } from "archiver";
import { Source } from "../format/packets.js";
import type { ReadOutcome, Session } from "../session/model.js";
import { sessionEndLine, sessionStartLine, TimingWriter } from "./script-format.js";
import { tempPathFor, writeAtomically } from "./atomic-file.js";

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

/** Writes into a stream, waiting for 'drain' when it asks to (bounded memory). */
async function put(stream: Writable, data: Uint8Array | string): Promise<void> {
  if (!stream.write(data)) await once(stream, "drain");
}

async function closeFile(ws: WriteStream): Promise<void> {
  ws.end();
  await once(ws, "close");
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
 * the zip while the second is spooled to a temporary file beside the output and appended after,
 * so memory does not grow with the session. The zip is written to a temporary name and renamed;
 * a session that stops early (partial) still gets its zip of what authenticated, and
 * `outcome.error` says why it stopped.
 *
 * @example const { outcome } = await writeDecryptedZip(session, "session.log-decrypted.zip");
 */
export async function writeDecryptedZip(session: Session, outPath: string): Promise<ZipResult> {
  return writeAtomically(outPath, async (tmp) => {
    const spoolPath = tempPathFor(outPath, "spool");
    const zipOut = createWriteStream(tmp);
    const archive = new ZipArchive({ store: true });
    const archiveDone = new Promise<void>((resolve, reject) => {
      zipOut.on("close", resolve);
      zipOut.on("error", reject);
      archive.on("error", reject);
    });
    archive.pipe(zipOut);
    const date = new Date(session.info.startedAt * 1000);
    const pty = session.info.pty;
    const [firstName, secondName] = pty ? ZIP_ENTRIES.pty : ZIP_ENTRIES.exec;
    const first = new PassThrough({ highWaterMark: 1 << 20 });
    archive.append(first, { name: firstName, mode: 0o755, date });
    const spool = createWriteStream(spoolPath, { highWaterMark: 1 << 20 });
    const sizes = [0, 0];
    try {
      // A failure of the archive must end the write loop instead of waiting for 'drain' forever.
      const failed = archiveDone.then(() => new Promise<never>(() => undefined));
      const pump = (async () => {
        if (pty) {
          const timing = new TimingWriter();
          const startLine = sessionStartLine(session.info.startedAt, pty);
          sizes[0]! += Buffer.byteLength(startLine);
          await put(first, startLine);
          let times = "";
          for await (const batch of session.batches()) {
            for (const ev of batch) {
              if (ev.source !== Source.Server) continue;
              sizes[0]! += ev.data.length;
              if (!first.write(ev.data)) await once(first, "drain");
              times += timing.line(ev.elapsedMicros, ev.data.length);
            }
            if (times.length > 0) { sizes[1]! += Buffer.byteLength(times); await put(spool, times); times = ""; }
          }
          const endLine = sessionEndLine(session.info.exit);
          sizes[0]! += Buffer.byteLength(endLine);
          await put(first, endLine);
        } else {
          for await (const batch of session.batches()) {
            for (const ev of batch) {
              if (ev.source === Source.Client) {
                sizes[0]! += ev.data.length;
                if (!first.write(ev.data)) await once(first, "drain");
              } else {
                sizes[1]! += ev.data.length;
                if (!spool.write(ev.data)) await once(spool, "drain");
              }
            }
          }
        }
      })();
      await Promise.race([pump, failed]);
      first.end();
      await closeFile(spool);
      archive.append(createReadStream(spoolPath, { highWaterMark: 1 << 20 }), { name: secondName, mode: 0o755, date });
      await archive.finalize();
      await archiveDone;
    } catch (err) {
      archive.abort();
      spool.destroy();
      throw err;
    } finally {
      await unlink(spoolPath).catch(() => undefined);
    }
    return { path: outPath, entries: [{ name: firstName, bytes: sizes[0]! }, { name: secondName, bytes: sizes[1]! }], outcome: session.outcome };
  });
}
