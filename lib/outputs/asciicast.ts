import { basename } from "node:path";
import { Source, type Session } from "../session/model.js";
import { analyzeEvents } from "../terminal/analyzer.js";
import type { Sink } from "./output-target.js";

export interface AsciicastOptions {
  /** The recording's title (default: made from the session's metadata). */
  title?: string;
}

/** What an asciicast write produced. */
export interface AsciicastResult {
  events: number;
  commands: number;
  /** Input events in which typed secrets were replaced by "*". */
  maskedEvents: number;
}

/** Seconds with microsecond precision, as a JSON number. */
function secs(micros: number): number {
  return Math.round(micros) / 1e6;
}

/**
 * A title that tells an auditor whose session this is, from what the input knows.
 *
 * @example defaultTitle(logpushSession) === "deploy@tgt-web-01 (grace@partner.net) 2026-10-01T00:09:21Z"
 */
export function defaultTitle(session: Session): string {
  const x = session.info.extra;
  const who = typeof x.Username === "string" && x.Username !== "" ? x.Username : null;
  const where = typeof x.TargetID === "string" ? x.TargetID : typeof x.ServerAddress === "string" ? x.ServerAddress : null;
  const email = typeof x.UserEmail === "string" && x.UserEmail !== "" ? ` (${x.UserEmail})` : "";
  const when = new Date(Math.floor(session.info.startedAt) * 1000).toISOString().replace(".000Z", "Z");
  const name = who && where ? `${who}@${where}${email}` : basename(session.info.path);
  return `${name} ${when}`;
}

/**
 * Writes a session as an asciicast v2 recording (asciinema's format): a header with the terminal
 * size, start time, TERM, the command of an exec session and a title; then "o" events for output,
 * "i" events for input (typed secrets replaced by "*") and an "m" marker, labelled with the
 * command, where each command was submitted. A session without a PTY gets the "\r\n" line ends its
 * viewer's terminal would have made. Plays in `asciinema play` and asciinema-player.
 *
 * @example await writeTo("session.cast", process.stdout, (sink) => writeAsciicast(session, sink));
 */
export async function writeAsciicast(session: Session, sink: Sink, opts: AsciicastOptions = {}): Promise<AsciicastResult> {
  const info = session.info;
  const pty = info.pty;
  const width = pty?.width || 80;
  const height = pty?.height || 24;
  const header: Record<string, unknown> = { version: 2, width, height, timestamp: Math.floor(info.startedAt) };
  const env: Record<string, string> = {};
  const term = pty?.term ?? (typeof (info.extra.env as Record<string, unknown> | undefined)?.TERM === "string" ? String((info.extra.env as Record<string, unknown>).TERM) : null);
  if (term) env.TERM = term;
  const shell = (info.extra.env as Record<string, unknown> | undefined)?.SHELL;
  if (typeof shell === "string") env.SHELL = shell;
  if (Object.keys(env).length > 0) header.env = env;
  if (info.command !== null) header.command = info.command;
  header.title = opts.title ?? defaultTitle(session);
  await sink.write(`${JSON.stringify(header)}\n`);

  // One decoder per direction, so a character split across two events is not broken.
  const out = new TextDecoder("utf-8");
  const inp = new TextDecoder("utf-8");
  const result: AsciicastResult = { events: 0, commands: 0, maskedEvents: 0 };
  let lines: string[] = [];
  const flush = async (): Promise<void> => {
    if (lines.length === 0) return;
    const text = lines.join("");
    lines = [];
    await sink.write(text);
  };
  for await (const item of analyzeEvents(session.events(), { cols: width, rows: height, pty: pty !== null })) {
    if (item.type === "event") {
      const ev = item.event;
      const isOut = ev.source === Source.Server;
      let text = (isOut ? out : inp).decode(ev.data, { stream: true });
      if (text === "") continue;
      if (pty === null && isOut) text = text.replace(/(?<!\r)\n/g, "\r\n");
      lines.push(`${JSON.stringify([secs(ev.elapsedMicros), isOut ? "o" : "i", text])}\n`);
      result.events++;
      if (item.masked) result.maskedEvents++;
    } else if (item.type === "command") {
      lines.push(`${JSON.stringify([secs(item.mark.atMicros), "m", item.mark.text])}\n`);
      result.commands++;
    }
    if (lines.length >= 256) await flush();
  }
  await flush();
  return result;
}
