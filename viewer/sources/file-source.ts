/**
 * Sessions straight from recordings on disk, without indexing first: `ssh-log view recordings/ -i sshkey`.
 * The list shows at once from each capture's cleartext header (no key needed); with a key, every
 * recording is then read in the background for its commands, length and damage, and the rows
 * update as that goes.
 */
import { readdir, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { BadInputError, NotFoundError, SshLogError, UsageError, fsError } from "../../lib/errors.js";
import { inspectCapture } from "../../lib/session/inspect-capture.js";
import { detectInputKind, openSession } from "../../lib/session/open-any.js";
import type { Session } from "../../lib/session/model.js";
import { compareRows, matchesFilter, parseFilter } from "../logic/filter.js";
import { exitText, formatDuration, formatTime } from "../logic/format.js";
import { Flag, type CommandEntry, type ListPage, type ListQuery, type SessionDetail, type SessionRow, type SessionSource } from "../source.js";

/** What reading a whole recording tells (commands, real length, damage). */
export interface SessionIndex {
  commands: CommandEntry[];
  /** Microseconds to the last event. */
  durationMicros: number;
  problem: { code: string; message: string } | null;
}

export interface FileSourceOptions {
  /** The private key files; without any the list still shows, but captures cannot be decrypted. */
  keyPaths: readonly string[];
  /** Opens one recording as a Session (a capture with the key, or any input the library reads). */
  openFile(path: string, keyPaths: readonly string[]): Promise<Session>;
  /** Reads a session through and returns its commands, length and damage. */
  indexSession(session: Session): Promise<SessionIndex>;
  /** Most files to list (a guard against pointing at /). */
  maxFiles?: number;
  /** Read recordings in the background as soon as the list is built (default true). */
  background?: boolean;
}

interface Entry {
  path: string;
  /** Encrypted captures need the key to be read; zips and .cast files do not. */
  encrypted: boolean;
  row: SessionRow;
  fields: Array<[string, string]>;
  index: SessionIndex | null;
  indexing: Promise<SessionIndex> | null;
  commandsLower: string;
}

const SKIP = /(\.pub|\.json|\.md|\.txt|\.duckdb|\.duckdb\.wal|\.sql)$/i;

/** Files under `root` (depth-first, sorted, hidden files and obvious non-recordings left out). */
async function walk(root: string, max: number): Promise<string[]> {
  const out: string[] = [];
  const visit = async (dir: string, depth: number): Promise<void> => {
    let names: string[];
    try { names = (await readdir(dir)).sort(); } catch (err) { throw fsError(err, dir, "recordings folder"); }
    for (const name of names) {
      if (out.length >= max || name.startsWith(".")) continue;
      const p = join(dir, name);
      const s = await stat(p).catch(() => null);
      if (s === null) continue;
      if (s.isDirectory()) { if (depth < 8) await visit(p, depth + 1); } else if (s.isFile() && !SKIP.test(name) && s.size > 0) out.push(p);
    }
  };
  await visit(root, 0);
  // `decrypt` writes X-decrypted.zip next to X: the same session twice, so the capture stands for both.
  const present = new Set(out);
  return out.filter((p) => !(p.endsWith("-decrypted.zip") && present.has(p.slice(0, -"-decrypted.zip".length))));
}

const problemOf = (err: unknown): { code: string; message: string } => {
  if (err instanceof SshLogError) return { code: err.code, message: err.message };
  return { code: "ERR_INTERNAL", message: err instanceof Error ? err.message : String(err) };
};

/**
 * A SessionSource over a folder (or one file) of recordings.
 *
 * @example
 *   const source = await FileSessionSource.open("recordings/", { keyPaths: ["sshkey"], openFile, indexSession });
 *   const page = await source.list({ filter: "", sort: "newest", offset: 0, limit: 50 });
 */
export class FileSessionSource implements SessionSource {
  readonly title: string;
  readonly columnTitles = { target: "FILE" };
  private readonly entries: Entry[];
  private readonly byId = new Map<string, Entry>();
  private readonly listeners = new Set<() => void>();
  private closed = false;
  private notifyTimer: NodeJS.Timeout | null = null;
  /** Resolves when the background reading is done (tests wait on it). */
  readonly indexed: Promise<void>;

  private constructor(title: string, entries: Entry[], private readonly opts: FileSourceOptions) {
    this.title = title;
    this.entries = entries;
    for (const e of entries) this.byId.set(e.row.id, e);
    this.indexed = opts.background !== false ? this.indexAll() : Promise.resolve();
  }

  /** Lists the recordings under `root` and reads their headers (no key needed for that). */
  static async open(root: string, opts: FileSourceOptions): Promise<FileSessionSource> {
    const s = await stat(root).catch((err: unknown) => { throw fsError(err, root, "recordings path"); });
    const files = s.isDirectory() ? await walk(root, opts.maxFiles ?? 200_000) : [root];
    const base = s.isDirectory() ? root : join(root, "..");
    const entries: Entry[] = [];
    for (const path of files) {
      const id = relative(base, path).split(sep).join("/");
      const entry = await FileSessionSource.readHeader(path, id);
      if (entry) entries.push(entry);
    }
    if (entries.length === 0 && s.isDirectory()) {
      throw new NotFoundError(`${root} holds no SSH session recordings; give the folder with the encrypted .log files.`, { file: root });
    }
    if (entries.length === 0) {
      throw new BadInputError(`${root} is not a session recording ssh-log reads (an encrypted capture, a decrypted zip or an asciicast file); for a Logpush export, index it with ssh-log index and view the database.`, { file: root });
    }
    const title = s.isDirectory() ? `${root} (${entries.length} recording${entries.length === 1 ? "" : "s"})` : root;
    return new FileSessionSource(title, entries, opts);
  }

  /**
   * A row from what a recording says without reading it through: a capture's cleartext header
   * (no key needed), a zip's or .cast file's metadata. Logpush exports are left out (they hold
   * many sessions: index them), and so are files that are no recording, unless named .log.
   */
  private static async readHeader(path: string, id: string): Promise<Entry | null> {
    const name = id.split("/").pop() ?? id;
    const base: SessionRow = { id, startedAt: 0, user: null, target: name, unixUser: null, program: null, durationSec: null, exit: null, flags: [], problem: null };
    let kind: string;
    try { kind = await detectInputKind(path); } catch { return null; }
    if (kind === "logpush") return null;
    try {
      if (kind !== "capture") {
        const session = await openSession(path);
        await session.close(); // only its metadata is shown here: the events are read on replay
        const info = session.info;
        const flags: Flag[] = info.exit === null ? [Flag.NoExit] : [];
        const row: SessionRow = {
          ...base, startedAt: info.startedAt, program: info.pty ? "pty" : "exec",
          durationSec: info.exit ? Math.max(0, info.exit.timestamp - info.startedAt) : null, exit: exitText(info.exit), flags,
        };
        const fields: Array<[string, string]> = [
          ["File", path],
          ["Format", kind === "zip" ? "decrypted zip" : "asciicast"],
          ["Started", `${formatTime(info.startedAt, true)} UTC`],
          ["Terminal", info.pty ? `${info.pty.term ?? "unknown"} ${info.pty.width}x${info.pty.height}` : "none (exec, scp or sftp)"],
        ];
        if (info.command) fields.push(["Command", info.command]);
        return { path, encrypted: false, row, fields, index: null, indexing: null, commandsLower: "" };
      }
      const r = await inspectCapture(path);
      const h = r.header;
      const flags: Flag[] = [];
      if (h.exit === null) flags.push(Flag.NoExit);
      if (r.truncation !== null || r.problem !== null || r.dataSizeAgrees === false) flags.push(Flag.Truncated);
      const user = typeof h.extra.user === "string" ? h.extra.user : typeof h.extra.email === "string" ? h.extra.email : null;
      const unixUser = typeof h.extra.username === "string" ? h.extra.username : null;
      if (unixUser === "root") flags.push(Flag.Root);
      const row: SessionRow = {
        ...base, startedAt: h.startedAt, user, unixUser, program: h.pty ? "pty" : "exec",
        durationSec: h.exit ? Math.max(0, h.exit.timestamp - h.startedAt) : null, exit: exitText(h.exit), flags,
        problem: r.truncation ? { code: "ERR_TRUNCATED", message: r.truncation.message } : r.problem,
      };
      const fields: Array<[string, string]> = [
        ["File", path],
        ["Started", `${formatTime(h.startedAt, true)} UTC`],
        ["Terminal", h.pty ? `${h.pty.term ?? "unknown"} ${h.pty.width}x${h.pty.height}` : "none (exec, scp or sftp)"],
        ["Ended", h.exit ? `${formatTime(h.exit.timestamp, true)} UTC, exit ${exitText(h.exit)}${h.exit.errorMessage ? ` (${h.exit.errorMessage})` : ""}` : "no termination data"],
        ["Recording", `${r.fileBytes.toLocaleString("en-US")} bytes in ${r.blocks.count.toLocaleString("en-US")} blocks${r.truncation ? ", cut short" : ""}`],
      ];
      return { path, encrypted: true, row, fields, index: null, indexing: null, commandsLower: "" };
    } catch (err) {
      if (!name.toLowerCase().endsWith(".log") && kind === "capture") return null;
      return { path, encrypted: kind === "capture", row: { ...base, problem: problemOf(err) }, fields: [["File", path]], index: null, indexing: null, commandsLower: "" };
    }
  }

  /** Whether a recording can be read through now (captures need the key). */
  private readable(e: Entry): boolean {
    return !e.encrypted || this.opts.keyPaths.length > 0;
  }

  /** Reads one recording through (once), and folds what it says into its row. */
  private indexOne(e: Entry): Promise<SessionIndex> {
    if (e.indexing) return e.indexing;
    e.indexing = (async (): Promise<SessionIndex> => {
      let index: SessionIndex;
      try {
        const session = await this.opts.openFile(e.path, this.opts.keyPaths);
        index = await this.opts.indexSession(session);
      } catch (err) {
        index = { commands: [], durationMicros: 0, problem: problemOf(err) };
      }
      e.index = index;
      e.commandsLower = index.commands.map((c) => c.text.toLowerCase()).join("\n");
      const flags = new Set(e.row.flags);
      if (index.commands.some((c) => c.risky)) flags.add(Flag.Risky);
      if (index.problem && (index.problem.code === "ERR_TRUNCATED" || index.problem.code === "ERR_BLOCK_AUTH" || index.problem.code === "ERR_BAD_PACKET")) flags.add(Flag.Truncated);
      e.row = {
        ...e.row,
        durationSec: e.row.durationSec ?? (index.durationMicros > 0 ? index.durationMicros / 1e6 : null),
        flags: [Flag.Root, Flag.Risky, Flag.Denied, Flag.Truncated, Flag.NoExit].filter((f) => flags.has(f)),
        problem: index.problem ?? e.row.problem,
      };
      this.byId.set(e.row.id, e);
      this.changed();
      return index;
    })();
    return e.indexing;
  }

  private async indexAll(): Promise<void> {
    // Newest first: those are the ones on screen.
    for (const e of [...this.entries].sort((a, b) => compareRows("newest")(a.row, b.row))) {
      if (this.closed) return;
      if (this.readable(e)) await this.indexOne(e);
    }
  }

  private changed(): void {
    if (this.notifyTimer !== null || this.listeners.size === 0) return;
    // Many small files index quickly: tell the screen at most a few times a second.
    this.notifyTimer = setTimeout(() => {
      this.notifyTimer = null;
      for (const l of this.listeners) l();
    }, 250);
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  async list(q: ListQuery): Promise<ListPage> {
    const f = parseFilter(q.filter);
    const rows = this.entries.filter((e) => matchesFilter(f, e.row, e.commandsLower)).map((e) => e.row).sort(compareRows(q.sort));
    return { offset: q.offset, rows: rows.slice(q.offset, q.offset + q.limit), total: rows.length };
  }

  private entry(id: string): Entry {
    const e = this.byId.get(id);
    if (!e) throw new NotFoundError(`No recording ${id} in ${this.title}; press R to reload the list.`, { file: id });
    return e;
  }

  async detail(id: string): Promise<SessionDetail> {
    const e = this.entry(id);
    const index = this.readable(e) ? await this.indexOne(e) : null;
    const fields: Array<[string, string]> = [...e.fields];
    if (index && index.durationMicros > 0) fields.push(["Length", formatDuration(index.durationMicros / 1e6)]);
    const noKey = { code: "ERR_USAGE", message: "The commands are encrypted: run ssh-log view again with -i KEY to read them." };
    return {
      row: e.row,
      fields,
      context: [],
      contextNote: "none for recordings read from files; index them with the Logpush export (ssh-log index) to see logins and denials",
      commands: index?.commands ?? [],
      problem: index?.problem ?? e.row.problem ?? (this.readable(e) ? null : noKey),
    };
  }

  async open(id: string): Promise<Session> {
    const e = this.entry(id);
    if (!this.readable(e)) throw new UsageError(`Replaying ${e.path} needs its private key: run ssh-log view again with -i KEY.`, { file: e.path });
    return this.opts.openFile(e.path, this.opts.keyPaths);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.notifyTimer) clearTimeout(this.notifyTimer);
    this.listeners.clear();
  }
}
