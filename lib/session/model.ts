import type { SshLogError } from "../errors.js";
import type { ExitData, Pty } from "../format/header.js";
import type { Packet } from "../format/packets.js";

export type { ExitData, Pty } from "../format/header.js";
export { Source, PacketCode } from "../format/packets.js";

/**
 * One event of a session: who sent which bytes, when. The same shape as a capture's packets;
 * every input (capture, zip, asciicast, Logpush) yields these and every output reads them.
 */
export type SessionEvent = Packet;

/** Where a Session was read from. */
export type SessionSourceKind = "capture" | "zip" | "asciicast" | "logpush";

/** What is known about a session before its events are read. */
export interface SessionInfo {
  kind: SessionSourceKind;
  /** The file it came from (or a description such as "logpush:<SessionID>"). */
  path: string;
  /** Session start, unix seconds (UTC); fractional for asciicast inputs. */
  startedAt: number;
  /** The PTY request; null for exec, scp and other sessions without a terminal. */
  pty: Pty | null;
  /** How the program ended; null when there is no termination record. */
  exit: ExitData | null;
  /** The command of an exec session, when the input records it. */
  command: string | null;
  /** Extra header fields and other input-specific metadata, kept as found. */
  extra: Record<string, unknown>;
}

/** How reading ended: complete, or the first problem found (the data before it is kept). */
export interface ReadOutcome {
  complete: boolean;
  /** The problem that stopped reading early, when there was one (partial data). */
  error: SshLogError | null;
  /** Soft findings that do not stop reading (e.g. data_size disagrees). */
  warnings: SshLogError[];
  /** Blocks opened (captures only). */
  blocks: number;
  /** Events produced. */
  events: number;
}

/**
 * A session: metadata plus its events, streamed. `batches()` yields events in the groups they were
 * read in (the fast path for bulk outputs); `events()` yields them one by one. A session can be
 * read once. After reading, `outcome` says whether everything authenticated.
 *
 * @example
 *   const s = await openCapture("session.log", { privateKey });
 *   for await (const ev of s.events()) process.stdout.write(ev.data);
 *   if (s.outcome.error) console.error(s.outcome.error.message);
 */
export interface Session {
  readonly info: SessionInfo;
  batches(): AsyncIterable<SessionEvent[]>;
  events(): AsyncIterable<SessionEvent>;
  readonly outcome: ReadOutcome;
}

/** Builds `events()` from `batches()`: the one definition every Session implementation shares. */
export async function* eventsOf(batches: AsyncIterable<SessionEvent[]>): AsyncIterable<SessionEvent> {
  for await (const batch of batches) yield* batch;
}

/** A fresh outcome for a reader to fill in. */
export function newOutcome(): ReadOutcome {
  return { complete: false, error: null, warnings: [], blocks: 0, events: 0 };
}
