import { createWriteStream, type WriteStream } from "node:fs";
import { once } from "node:events";
import { join } from "node:path";
import { UsageError } from "../errors.js";
import { Source, type ReadOutcome, type Session } from "../session/model.js";
import { makeOutputFolder, writeAtomically } from "./atomic-file.js";
import { Sink } from "./output-target.js";
import { sessionEndLine, sessionStartLine, TimingWriter } from "./script-format.js";

/** What a typescript write produced. */
export interface TypescriptResult {
  dataPath: string;
  timesPath: string;
  dataBytes: number;
  timesBytes: number;
  outcome: ReadOutcome;
}

async function close(ws: WriteStream): Promise<void> {
  ws.end();
  await once(ws, "close");
}

/**
 * Writes the classic `script` typescript and timing pair into folder `dir`: `term_data.txt` and
 * `term_times.txt`, byte for byte what `decrypt` puts in its zip (and ssh-log-cli in its own), so
 * `scriptreplay --timing term_times.txt term_data.txt` replays it. Only sessions with a PTY have
 * one; the folder is created when missing, and both files are written to temporary names and renamed.
 *
 * @example await writeTypescript(session, "out/session-typescript");
 */
export async function writeTypescript(session: Session, dir: string): Promise<TypescriptResult> {
  const pty = session.info.pty;
  if (pty === null) {
    throw new UsageError(`${session.info.path} has no terminal (an exec session), so it has no typescript; export it as cast or text, or decrypt it for data_from_client.txt and data_from_server.txt.`, { file: session.info.path });
  }
  await makeOutputFolder(dir, "folder", "choose another output folder");
  const source = { source: session.info.path };
  const dataPath = join(dir, "term_data.txt");
  const timesPath = join(dir, "term_times.txt");
  return writeAtomically(dataPath, (dataTmp) => writeAtomically(timesPath, async (timesTmp) => {
    const dataWs = createWriteStream(dataTmp, { highWaterMark: 1 << 20 });
    const timesWs = createWriteStream(timesTmp, { highWaterMark: 1 << 20 });
    const failed = new Promise<never>((_, reject) => { dataWs.on("error", reject); timesWs.on("error", reject); });
    const data = new Sink(dataWs);
    const times = new Sink(timesWs);
    try {
      await Promise.race([(async () => {
        const timing = new TimingWriter();
        await data.write(sessionStartLine(session.info.startedAt, pty));
        for await (const batch of session.batches()) {
          let t = "";
          for (const ev of batch) {
            if (ev.source !== Source.Server) continue;
            await data.write(ev.data);
            t += timing.line(ev.elapsedMicros, ev.data.length);
          }
          if (t !== "") await times.write(t);
        }
        await data.write(sessionEndLine(session.info.exit));
      })(), failed]);
      await Promise.race([Promise.all([close(dataWs), close(timesWs)]), failed]);
    } catch (err) {
      dataWs.destroy();
      timesWs.destroy();
      throw err;
    }
    return { dataPath, timesPath, dataBytes: data.bytes, timesBytes: times.bytes, outcome: session.outcome };
  }, source), source);
}
