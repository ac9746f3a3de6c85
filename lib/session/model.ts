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
  /**
   * Releases the file (and whatever else is open) when the events will not be read to the end:
   * after looking at `info` only, say. Reading every event, or leaving a `for await` early,
   * releases it as well; calling close() again does nothing. Events cannot be read after it.
   */
  close(): Promise<void>;
}

/** Builds `events()` from `batches()`. */
async function* eventsOf(batches: AsyncIterable<SessionEvent[]>): AsyncIterable<SessionEvent> {
  for await (const batch of batches) yield* batch;
}

/** What a reader hands to `sessionOf`. */
export interface SessionParts {
  info: SessionInfo;
  outcome: ReadOutcome;
  /** Reads the events, once; releases what it holds when it ends, however it ends (its `finally`). */
  read: () => AsyncGenerator<SessionEvent[], void, undefined>;
  /** Releases what is open when `read` never started (close() before reading). */
  release?: () => Promise<void> | void;
}

/**
 * The one Session every reader returns: `batches()` readable once, `events()` on top of it, and
 * `close()`, which ends a read in progress (running its `finally`) or releases what a read never
 * started would have.
 *
 * @example return sessionOf({ info, outcome, read, release: () => fh.close() });
 */
export function sessionOf(parts: SessionParts): Session {
  let reading: AsyncGenerator<SessionEvent[], void, undefined> | null = null;
  let closed = false;
  async function* batches(): AsyncGenerator<SessionEvent[], void, undefined> {
    if (closed) throw new Error("a closed Session's events cannot be read");
    if (reading !== null) throw new Error("a Session's events can be read only once");
    reading = parts.read();
    yield* reading;
  }
  return {
    info: parts.info,
    outcome: parts.outcome,
    batches,
    events: () => eventsOf(batches()),
    async close() {
      if (closed) return;
      closed = true;
      if (reading !== null) await reading.return(undefined);
      else await parts.release?.();
    },
  };
}

/** A fresh outcome for a reader to fill in. */
export function newOutcome(): ReadOutcome {
  return { complete: false, error: null, warnings: [], blocks: 0, events: 0 };
}
