import type { DuckDBAppender, DuckDBValue } from "@duckdb/node-api";
import { Source, type SessionEvent } from "../../session/model.js";
import { CommandCollector, TranscriptBuilder, type TranscriptLine, type TypedCommand } from "./session-text.js";

/** Who and where a recording or program belongs to, for the rows derived from it. */
export interface RowContext {
  source: "recording" | "ssh_logs";
  sessionId: string | null;
  programId: string | null;
  recordingId: string | null;
  userEmail: string | null;
  targetId: string | null;
  username: string | null;
  /** Start of the recording, microseconds since the epoch; null when unknown. */
  startMicros: bigint | null;
}

/** What the audit store keeps from one recording's events. */
export interface EventDigest {
  transcript: TranscriptLine[];
  commands: TypedCommand[];
  events: number;
  bytesFromClient: number;
  bytesFromServer: number;
  /** Elapsed time of the last event, microseconds. */
  lastMicros: number;
}

/**
 * Reads events once, building the transcript (server output) and, on a PTY, the typed commands.
 * `onServerBytes` sees every output chunk (for the recording's fingerprint).
 */
export class EventDigester {
  private readonly transcript = new TranscriptBuilder();
  private readonly typed = new CommandCollector();
  private events = 0;
  private fromClient = 0;
  private fromServer = 0;
  private last = 0;

  constructor(private readonly pty: boolean, private readonly onBytes?: (ev: SessionEvent) => void) {}

  push(ev: SessionEvent): void {
    this.events++;
    this.last = Math.max(this.last, ev.elapsedMicros);
    this.onBytes?.(ev);
    const t = ev.elapsedMicros / 1e6;
    if (ev.source === Source.Server) {
      this.fromServer += ev.data.length;
      this.transcript.push(t, ev.data);
    } else {
      this.fromClient += ev.data.length;
      if (this.pty) this.typed.push(t, ev.data);
    }
  }

  end(): EventDigest {
    return {
      transcript: this.transcript.end(this.last / 1e6),
      commands: this.typed.end(),
      events: this.events,
      bytesFromClient: this.fromClient,
      bytesFromServer: this.fromServer,
      lastMicros: this.last,
    };
  }
}

// DuckDB's value constructors, loaded with DuckDB itself (never at import: `ssh-log` stays light).
let timestampTZ: ((micros: bigint) => DuckDBValue) | null = null;

/** Loads what the append functions need from @duckdb/node-api; call once before appending. */
export async function loadRowWriters(): Promise<void> {
  timestampTZ ??= (await import("@duckdb/node-api")).timestampTZValue;
}

function str(a: DuckDBAppender, v: string | null): void {
  if (v === null) a.appendNull(); else a.appendVarchar(v);
}

function tsAt(a: DuckDBAppender, start: bigint | null, offsetS: number): void {
  if (start === null) a.appendNull(); else a.appendValue(timestampTZ!(start + BigInt(Math.round(offsetS * 1e6))));
}

/** Appends one `commands` row. */
export function appendCommand(a: DuckDBAppender, c: RowContext, kind: "typed" | "exec", cmd: TypedCommand, masked = false): void {
  str(a, c.source); str(a, c.sessionId); str(a, c.programId); str(a, c.recordingId);
  str(a, c.userEmail); str(a, c.targetId); str(a, c.username);
  tsAt(a, c.startMicros, cmd.offsetS);
  a.appendDouble(cmd.offsetS);
  a.appendVarchar(kind);
  a.appendVarchar(cmd.command);
  a.appendBoolean(masked);
  a.endRow();
}

/** Appends one `transcripts` row. */
export function appendTranscriptLine(a: DuckDBAppender, c: RowContext, l: TranscriptLine): void {
  str(a, c.source); str(a, c.sessionId); str(a, c.programId); str(a, c.recordingId);
  a.appendInteger(l.lineNo);
  tsAt(a, c.startMicros, l.offsetS);
  a.appendDouble(l.offsetS);
  a.appendVarchar(l.text);
  a.endRow();
}
