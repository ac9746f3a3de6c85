import { UsageError } from "../errors.js";
import type { ReadOutcome, Session } from "../session/model.js";
import { writeAsciicast } from "./asciicast.js";
import { writeCommandsJsonl } from "./commands.js";
import { writeTo } from "./output-target.js";
import { writeTextTranscript } from "./text-transcript.js";
import { writeTypescript } from "./typescript.js";

/** The formats `ssh-log export` writes. */
export const ExportFormat = { Cast: "cast", Text: "text", Commands: "commands", Typescript: "typescript" } as const;
export type ExportFormat = (typeof ExportFormat)[keyof typeof ExportFormat];

/** What each format's file is called after its input's name, for batches. */
export const EXPORT_SUFFIX: Record<ExportFormat, string> = {
  cast: ".cast",
  text: ".txt",
  commands: ".commands.jsonl",
  typescript: ".typescript",
};

/** What an export wrote. */
export interface ExportResult {
  format: ExportFormat;
  /** The file (or folder, for typescript) written; null for stdout. */
  output: string | null;
  bytes: number;
  /** One phrase for the user: "412 events, 11 commands, 2 inputs masked". */
  detail: string;
  outcome: ReadOutcome;
}

/**
 * Writes a session in one format to `output` (a file; a folder for typescript) or, when output is
 * null, to `stdout`.
 *
 * @example await exportSession(session, "cast", "session.cast", process.stdout);
 */
export async function exportSession(session: Session, format: ExportFormat, output: string | null, stdout: NodeJS.WritableStream): Promise<ExportResult> {
  switch (format) {
    case "cast": {
      let bytes = 0;
      const r = await writeTo(output, stdout, async (sink) => { const x = await writeAsciicast(session, sink); bytes = sink.bytes; return x; }, { source: session.info.path });
      return { format, output, bytes, detail: `${r.events} events, ${r.commands} command markers, ${r.maskedEvents} input events masked`, outcome: session.outcome };
    }
    case "text": {
      let bytes = 0;
      const r = await writeTo(output, stdout, async (sink) => { const x = await writeTextTranscript(session, sink); bytes = sink.bytes; return x; }, { source: session.info.path });
      return { format, output, bytes, detail: `${r.lines} lines`, outcome: session.outcome };
    }
    case "commands": {
      let bytes = 0;
      const r = await writeTo(output, stdout, async (sink) => { const x = await writeCommandsJsonl(session, sink); bytes = sink.bytes; return x; }, { source: session.info.path });
      return { format, output, bytes, detail: `${r.commands} commands`, outcome: session.outcome };
    }
    case "typescript": {
      if (output === null || output === "-") {
        throw new UsageError("A typescript is two files (term_data.txt and term_times.txt); give the folder to write them in with -o DIR.");
      }
      const r = await writeTypescript(session, output);
      return { format, output, bytes: r.dataBytes + r.timesBytes, detail: `term_data.txt ${r.dataBytes} bytes, term_times.txt ${r.timesBytes} bytes`, outcome: r.outcome };
    }
  }
}
