/**
 * The viewer's view of where sessions come from: a small interface the screens are written
 * against, with one implementation over the DuckDB audit store and one straight over files.
 * Screens never see SQL or file paths; sources never see React.
 */
import type { Session } from "../lib/session/model.js";

/** Marks the list shows next to a session, so an auditor can spot what matters at a glance. */
export const Flag = {
  /** Ran as root (unix user root, or uid 0). */
  Root: "root",
  /** A command matched the risky list (rm -rf, chmod 777, curl | sh, ...). */
  Risky: "risky",
  /** The same user was denied access in the hour before. */
  Denied: "denied",
  /** The recording is cut or altered: only its first part could be read. */
  Truncated: "truncated",
  /** No termination record: the recording says nothing about how it ended. */
  NoExit: "noexit",
} as const;
export type Flag = (typeof Flag)[keyof typeof Flag];

/** One row of the session list: everything the list shows, nothing it has to compute. */
export interface SessionRow {
  /** Stable id within its source (a file path, or a Logpush SessionID/ProgramID). */
  id: string;
  /** Start, unix seconds UTC. */
  startedAt: number;
  /** Who (an email for Access, or null when the recording does not say). */
  user: string | null;
  /** Where (target id or host). */
  target: string | null;
  /** The unix account on the target. */
  unixUser: string | null;
  /** shell, exec, scp, ...; "pty"/"exec" for bare captures. */
  program: string | null;
  /** Seconds, or null when unknown. */
  durationSec: number | null;
  /** "0", "1", "SIGKILL", "core", "error", or null when there is no termination data. */
  exit: string | null;
  flags: Flag[];
  /** A problem with this one session (wrong key, cut file): shown on its row, never a crash. */
  problem: { code: string; message: string } | null;
}

/** The orders `s` cycles through. */
export const SORTS = ["newest", "oldest", "longest", "user", "target"] as const;
export type SortKey = (typeof SORTS)[number];

/** One page request of the session list. */
export interface ListQuery {
  /** The filter text as typed (see parseFilter). */
  filter: string;
  sort: SortKey;
  offset: number;
  limit: number;
}

/** One page of the session list, and how many rows match in all. */
export interface ListPage {
  offset: number;
  rows: SessionRow[];
  total: number;
}

/** Something that happened around a session: a login, a denial, a network session. */
export interface ContextEvent {
  /** Unix seconds. */
  at: number;
  kind: "login" | "denied" | "logout" | "network" | "other";
  text: string;
}

/** One command typed in the session, with when it was typed. */
export interface CommandEntry {
  /** Microseconds since the session started. */
  atMicros: number;
  /** Identifies the command across the detail and the replay when their timelines differ. */
  id?: string;
  text: string;
  risky: boolean;
}

/** What the detail screen shows. */
export interface SessionDetail {
  row: SessionRow;
  /** Label and value pairs, in display order. */
  fields: Array<[string, string]>;
  /** The user's logins and denials in the hour before, newest last. */
  context: ContextEvent[];
  commands: CommandEntry[];
  /** A problem reading the details (e.g. the recording's key is wrong); the rest is still shown. */
  problem: { code: string; message: string } | null;
  /** Why there is no context, when the source cannot have any (recordings read from files). */
  contextNote?: string;
}

/**
 * Lists sessions page by page with filter and sort, gives one session's details, and opens its
 * events for replay. Every method may throw an SshLogError; the screens show it in place.
 *
 * @example
 *   const page = await source.list({ filter: "rm -rf", sort: "newest", offset: 0, limit: 50 });
 *   const detail = await source.detail(page.rows[0]!.id);
 *   const session = await source.open(page.rows[0]!.id);
 */
export interface SessionSource {
  /** A short description for the title bar ("ssh-audit.duckdb", "recordings/ (7 files)"). */
  readonly title: string;
  /** Column titles that differ for this source (the file source shows file names under FILE). */
  readonly columnTitles?: Partial<Record<"start" | "user" | "target" | "unix" | "program" | "duration" | "exit" | "flags", string>>;
  list(q: ListQuery): Promise<ListPage>;
  detail(id: string): Promise<SessionDetail>;
  open(id: string): Promise<Session>;
  /**
   * The commands placed on the timeline of the Session `open` returned, when that timeline differs
   * from the session's own clock (several programs played one after another); null otherwise.
   * Asked after the opened session has been read through.
   */
  replayCommands?(id: string): Promise<CommandEntry[] | null>;
  /** Lets the list know that rows changed (background indexing found commands); returns an unsubscribe. */
  onChange?(listener: () => void): () => void;
  close(): Promise<void>;
}
