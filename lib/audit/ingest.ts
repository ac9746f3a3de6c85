/**
 * `ssh-log index`: puts Logpush exports and recordings into the audit store. Each input is
 * recognised by its content; Logpush files are read by DuckDB itself (`read_ndjson` with each
 * dataset's explicit columns, or `json_transform` over whole lines where unknown fields are kept
 * and for a file that needs the careful path), many files per statement and two datasets at once,
 * each on its own connection; recordings are read through the Session model. Re-ingesting adds nothing twice:
 * a file whose content hash is stored is skipped, and records whose key (RayID;
 * SessionID+ProgramID; SessionID) is stored are left out.
 *
 * @example
 *   const db = await openAuditDb("ssh-audit.duckdb", { write: true });
 *   const summary = await ingestPaths(db, ["logpush/", "recordings/"], { keyPath: "sshkey" });
 *   console.log(summary.rows.access_requests, summary.badFiles);
 */
import { createHash } from "node:crypto";
import { availableParallelism } from "node:os";
import type { DuckDBAppender } from "@duckdb/node-api";
import { ErrorCode, SshLogError } from "../errors.js";
import { isKeyText, keyGivenAsLogError, MAX_KEY_TEXT_BYTES, readPrivateKeyFile } from "../crypto/keys.js";
import { readHead } from "../session/read-chunks.js";
import type { Session, SessionEvent } from "../session/model.js";
import { openSession } from "../session/open-any.js";
import { extractCommandsFrom } from "../outputs/commands.js";
import { DATASET_NAMES, type DatasetName } from "./datasets.js";
import { type DetectedInput, detectInput, listInputs } from "./detect.js";
import { type AuditDb, databaseError, inTransaction } from "./open-db.js";
import { appendCommand, appendTranscriptLine, EventDigester, loadRowWriters, type RowContext } from "./internal/derive-rows.js";
import { dedupeBatchSql, distinctKeysSql, insertSql, linesSource, lit } from "./internal/logpush-sql.js";
import { payloadDerivationSql } from "./internal/payload-sql.js";
import { type FileScan, scanFile } from "./internal/scan-file.js";

export interface IngestProgress {
  /** Bytes of input handled so far, and in all. */
  bytesDone: number;
  bytesTotal: number;
  filesDone: number;
  filesTotal: number;
}

export interface IngestOptions {
  /** The private key for encrypted captures; without it captures are listed as skipped. */
  keyPath?: string | null;
  warn?: (message: string) => void;
  onProgress?: (p: IngestProgress) => void;
  /** Compressed bytes of Logpush read per statement (default 128 MiB). */
  batchBytes?: number;
}

/** A file that was not ingested, or only partly, and why (one sentence). */
export interface FileProblem { path: string; why: string; code?: string }

export interface IngestSummary {
  ingestId: number;
  /** Files found under the inputs. */
  files: number;
  /** Files that were read into the store this run. */
  ingested: number;
  /** Files whose exact content was indexed before (by SHA-256): skipped whole. */
  alreadyIndexed: number;
  /** Rows added, per table. */
  rows: Record<string, number>;
  /** Records left out because a record with the same key is stored (or came twice in this run). */
  duplicates: number;
  /** Recordings left out because the same session was indexed from another file (a capture and its decrypted zip). */
  sameRecording: FileProblem[];
  /** NDJSON lines that are not JSON objects or lack the dataset's key: counted and left out. */
  badLines: number;
  /** Files where bad lines were found, with how many. */
  filesWithBadLines: FileProblem[];
  /** Files that could not be ingested at all (a damaged gzip, a wrong key, not a session zip). */
  badFiles: FileProblem[];
  /** Recordings indexed up to damage (cut or altered): what authenticated is in the store. */
  partial: FileProblem[];
  /**
   * Files that are not audit inputs, or need a key that was not given. One named in the paths
   * given (not met while walking a folder) has a code: the user asked for it.
   */
  skipped: FileProblem[];
  seconds: number;
}

/** A Logpush file's hash (to skip files indexed before) and its full scan (gzip intact, line counts). */
type LaneScans = Map<string, { hash: Promise<FileScan | Error>; check: Promise<FileScan | Error> }>;

/** A file a lane inserts: hashed, its inflate check perhaps still running. */
interface LaneFile { f: DetectedInput; hash: FileScan; check: Promise<FileScan | Error> }

/**
 * DuckDB runs a statement on the thread that called it plus `threads - 1` workers shared by every
 * connection, so two lanes at DuckDB's default (one thread per core) keep two threads per core
 * busy, and contend (on 2 cores, an ingest of the bench export took 988 ms with it, 786 without).
 * The budget keeps one thread per core while lanes run (`threads` = the default minus the extra
 * lanes) and gives the default back when a lane is left alone and at the end.
 */
class ThreadBudget {
  private running = 0;
  private setting: Promise<void> = Promise.resolve();

  private constructor(private readonly db: AuditDb, private readonly initial: number) {}

  static async of(db: AuditDb): Promise<ThreadBudget> {
    const r = await db.rows<{ t: bigint | number }>(`SELECT current_setting('threads') AS t`);
    return new ThreadBudget(db, Math.max(1, Number(r[0]?.t ?? 1)));
  }

  laneStarted(): Promise<void> { this.running++; return this.apply(); }
  /** The last lane to end gives the default back. */
  laneEnded(): Promise<void> { this.running--; return this.apply(); }

  /** SETs go one at a time on the store's first connection, which no lane uses. */
  private apply(): Promise<void> {
    const n = Math.max(1, this.initial - Math.max(0, this.running - 1));
    this.setting = this.setting.then(async () => { await this.db.run(`SET threads = ${n}`); });
    return this.setting;
  }
}

/** Thrown when damaged gzip files turn up once a batch's INSERT ran: it rolls back and goes in without them. */
class DamagedFiles extends Error {}

/**
 * Lanes (workers that ingest one dataset at a time, each on its own connection) at once: one per
 * core (DuckDB's COMMIT and the commands derivation use one core each). On 2 cores, 2 lanes
 * measured faster than 1 or 3, with the ThreadBudget as without it.
 */
const LANES = Math.max(1, availableParallelism());

const TABLES = [...DATASET_NAMES, "recordings", "commands", "recording_transcripts"];

/** The first line of an error's message; for database errors, DuckDB's own words. */
function messageOf(err: unknown): string {
  const inner = err instanceof SshLogError && err.code === "ERR_DATABASE" && err.cause instanceof Error ? err.cause : err;
  const m = inner instanceof Error ? inner.message : String(inner);
  return (m.split("\n")[0] ?? m).replace(/\.$/, "");
}

/** Records files as indexed, in one statement on `db`, and remembers their hashes in `known`. */
async function recordFiles(db: AuditDb, ingestId: number, known: Set<string>, rows: Array<{ path: string; scan: FileScan; kind: string; dataset: string | null; rows: number; duplicates: number; badLines: number; note: string | null }>): Promise<void> {
  if (rows.length === 0) return;
  const v = (x: string | null): string => (x === null ? "NULL" : lit(x));
  const values = rows.map((r) => `(${lit(r.scan.sha256)}, ${lit(r.path)}, ${r.scan.bytes}, ${lit(r.kind)}, ${v(r.dataset)}, ${r.scan.lines}, ${r.rows}, ${r.duplicates}, ${r.badLines}, ${v(r.note)}, ${ingestId}, now())`);
  await db.run(`INSERT OR IGNORE INTO ingested_files VALUES ${values.join(", ")}`);
  for (const r of rows) known.add(r.scan.sha256);
}

class Ingest {
  readonly summary: IngestSummary;
  /** Hashes of the files in the store. */
  readonly known = new Set<string>();
  /** Hashes of the Logpush files a lane has taken this run: no two lanes insert the same file. */
  readonly claimed = new Set<string>();
  /**
   * Lanes commit one at a time. A COMMIT that starts while another is checkpointing cannot
   * checkpoint itself: its rows go to the WAL instead, and are compressed into the store only
   * when it is closed, on one core after everything else (~180 ms on the bench export).
   */
  readonly commits = limiter(1);
  private bytesDone = 0;
  private filesDone = 0;
  private shown = 0;
  private bytesTotal = 0;
  private commands!: DuckDBAppender;
  private transcripts!: DuckDBAppender;

  /** The private key for captures, read once for the whole ingest (null without -i, or without captures). */
  constructor(readonly db: AuditDb, readonly opts: IngestOptions, ingestId: number, private readonly privateKey: Uint8Array | null) {
    this.summary = {
      ingestId, files: 0, ingested: 0, alreadyIndexed: 0, rows: Object.fromEntries(TABLES.map((t) => [t, 0])),
      duplicates: 0, sameRecording: [], badLines: 0, filesWithBadLines: [], badFiles: [], partial: [], skipped: [], seconds: 0,
    };
  }

  /** Counts the inputs (every file found, recognised or not) and loads what the store holds. */
  async init(inputs: DetectedInput[]): Promise<void> {
    this.summary.files = inputs.length;
    this.bytesTotal = inputs.reduce((n, d) => n + d.bytes, 0);
    for (const r of await this.db.rows<{ sha256: string }>("SELECT sha256 FROM ingested_files")) this.known.add(r.sha256);
    await loadRowWriters();
    this.commands = await this.db.con.createAppender("commands");
    this.transcripts = await this.db.con.createAppender("recording_transcripts");
  }

  /** A transaction whose failure also drops the rows appended but not yet flushed. */
  private async tx<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await inTransaction(this.db, fn);
    } catch (err) {
      this.commands.clear();
      this.transcripts.clear();
      throw err;
    }
  }

  close(): void {
    try { this.commands.closeSync(); } catch { /* nothing appended since the last flush */ }
    try { this.transcripts.closeSync(); } catch { /* idem */ }
  }

  /** Reports DuckDB's own progress through a long statement on `db` over `bytes` of input, so the bar moves. */
  async withProgress<T>(db: AuditDb, bytes: number, running: Promise<T>): Promise<T> {
    const on = this.opts.onProgress;
    if (!on) return running;
    const timer = setInterval(() => {
      const pct = db.con.progress.percentage;
      if (pct > 0) this.report(this.bytesDone + Math.min(1, pct / 100) * bytes);
    }, 200);
    try {
      return await running;
    } finally {
      clearInterval(timer);
    }
  }

  progress(files: number, bytes: number): void {
    this.filesDone += files;
    this.bytesDone += bytes;
    this.report(this.bytesDone);
  }

  /** Progress never goes backwards, whatever order the estimates arrive in. */
  private report(bytes: number): void {
    this.shown = Math.max(this.shown, Math.min(bytes, this.bytesTotal));
    this.opts.onProgress?.({ bytesDone: this.shown, bytesTotal: this.bytesTotal, filesDone: this.filesDone, filesTotal: this.summary.files });
  }

  // ---- Logpush --------------------------------------------------------------------------------

  /**
   * Ingests the Logpush files, each dataset in a lane of its own on its own connection, at most
   * `LANES` at once; ssh_logs first, since deriving its commands makes it the longest. Every file
   * is hashed, and one the store does not hold has its gzip checked and its lines counted, ahead,
   * in the order the lanes take them: later files are scanned while earlier ones go into DuckDB.
   */
  async logpushLanes(files: DetectedInput[]): Promise<void> {
    const names = [...DATASET_NAMES].sort((a, b) => Number(b === "ssh_logs") - Number(a === "ssh_logs"))
      .filter((name) => files.some((d) => d.dataset === name));
    const order = names.flatMap((name) => files.filter((d) => d.dataset === name));
    // Hashes first (cheap, and needed before a file goes in; a file recognised whole was hashed
    // then); the inflate checks, which only need to be done before a batch commits, after them,
    // two at a time on the thread pool, and only for files the store does not hold yet (a
    // re-index of an unchanged folder inflates nothing).
    const hashing = limiter(2);
    const checking = limiter(2);
    const settle = (p: Promise<FileScan>): Promise<FileScan | Error> => p.catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
    const scans: LaneScans = new Map(order.map((f) => {
      const hash = f.scan ? Promise.resolve(f.scan) : settle(hashing(() => scanFile(f.path, { gzip: false, countLines: f.gzip !== true })));
      const check = f.gzip !== true ? hash : hash.then((h) => (h instanceof Error || this.known.has(h.sha256) ? h
        : settle(checking(() => scanFile(f.path, { gzip: true, countLines: true, hash: false })))));
      return [f.path, { hash, check }] as const;
    }));
    // LANES workers, each on a connection of its own, take the datasets in turn: a worker that
    // finishes one goes on to the next without connecting again.
    const queue = [...names];
    const failures: unknown[] = [];
    const threads = await ThreadBudget.of(this.db);
    const workers = await Promise.allSettled(Array.from({ length: Math.min(LANES, names.length) }, async () => {
      const db = await this.db.connect();
      try {
        await threads.laneStarted();
        for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
          // One dataset failing does not keep the others out.
          try {
            await new LogpushLane(this, db).run(name, files.filter((d) => d.dataset === name), scans);
          } catch (err) {
            failures.push(err);
          }
        }
      } finally {
        db.close();
        await threads.laneEnded();
      }
    }));
    // Every worker has stopped before the store is closed; the first failure is the one to tell.
    for (const w of workers) if (w.status === "rejected") failures.push(w.reason);
    if (failures.length > 0) throw failures[0];
  }

  // ---- Recordings -----------------------------------------------------------------------------

  async recording(f: DetectedInput): Promise<void> {
    const kind = f.kind as "capture" | "zip" | "asciicast";
    try {
      if (kind === "capture" && this.privateKey === null) {
        this.summary.skipped.push({ path: f.path, why: "it is an encrypted capture and no key was given (pass -i KEY)" });
        return;
      }
      const scan = f.scan ?? await scanFile(f.path, { gzip: false, countLines: false });
      if (this.known.has(scan.sha256)) { this.summary.alreadyIndexed++; return; }
      // The project's one reader of every input; captures without a key were skipped above.
      const session = await openSession(f.path, this.privateKey !== null ? { privateKey: this.privateKey } : {});
      try {
        await this.indexSession(session, f.path, kind, scan);
      } finally {
        await session.close();
      }
    } catch (err) {
      // The store failing is not the recording's fault: stop and say so.
      if (err instanceof SshLogError && (err.code === "ERR_DATABASE_LOCKED" || err.code === "ERR_DATABASE")) throw err;
      const code = err instanceof SshLogError ? err.code : undefined;
      const why = err instanceof SshLogError ? err.message.replace(/\.$/, "") : `it could not be read (${messageOf(err)})`;
      this.summary.badFiles.push({ path: f.path, why, ...(code ? { code } : {}) });
    } finally {
      this.progress(1, f.bytes);
    }
  }

  private async indexSession(session: Session, path: string, kind: string, scan: FileScan): Promise<void> {
    const info = session.info;
    // The same session read from another file (a capture and its decrypted zip) shows the same
    // bytes (output; without a terminal, input too) and starts at the same time, to within the
    // two seconds a zip without a terminal can tell (its entries' DOS times): that is its identity.
    const fp = createHash("sha256");
    fp.update(`${info.pty ? "pty" : "nopty"}\n`);
    const clientFp = createHash("sha256");
    // One pass over the events: the digester takes the transcript, byte counts and fingerprint
    // while the outputs' command extraction (a terminal emulator: history, completion and edits
    // resolved, lines typed after a password prompt masked) reads the same stream.
    const digester = new EventDigester(false, (ev) => { (ev.source === 1 ? fp : clientFp).update(ev.data); });
    async function* tap(): AsyncIterable<SessionEvent> {
      for await (const batch of session.batches()) for (const ev of batch) { digester.push(ev); yield ev; }
    }
    const commands: Array<{ offsetS: number; command: string; masked: boolean; kind: "typed" | "exec" }> = [];
    for await (const c of extractCommandsFrom(info, tap(), { firstLines: 0 })) {
      if (c.command !== null && c.command.trim() !== "") commands.push({ offsetS: c.offsetSeconds, command: c.command, masked: c.masked, kind: info.pty === null ? "exec" : "typed" });
    }
    const digest = digester.end();
    if (info.pty === null) fp.update(clientFp.digest());
    const content = fp.digest("hex");
    const recordingId = createHash("sha256").update(`${Math.floor(info.startedAt)}\n${content}`).digest("hex").slice(0, 32);
    const existing = await this.db.rows<{ path: string }>(
      `SELECT path FROM recordings WHERE content_sha256 = $c AND (started_at IS NULL OR $s::DOUBLE IS NULL OR abs(epoch(started_at) - $s::DOUBLE) <= 2) ORDER BY path LIMIT 1`,
      { c: content, s: info.startedAt > 0 ? info.startedAt : null },
    );
    if (existing.length > 0) {
      this.summary.sameRecording.push({ path, why: `it holds the same session as ${existing[0]!.path}, indexed already` });
      await recordFiles(this.db, this.summary.ingestId, this.known, [{ path, scan, kind, dataset: null, rows: 0, duplicates: 1, badLines: 0, note: `same session as ${existing[0]!.path}` }]);
      return;
    }
    const x = info.extra;
    const s = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);
    const startMicros = info.startedAt > 0 ? BigInt(Math.round(info.startedAt * 1e6)) : null;
    const ctx: RowContext = {
      source: "recording", sessionId: s(x.session_id) ?? recordingId, programId: s(x.program_id), recordingId,
      userEmail: s(x.user_email) ?? s(x.email), targetId: s(x.target_id), username: s(x.username) ?? s(x.user), startMicros,
    };
    const exit = info.exit;
    const endMicros = exit ? BigInt(Math.round(exit.timestamp * 1e6)) : startMicros !== null ? startMicros + BigInt(digest.lastMicros) : null;
    const err = session.outcome.error;
    const headerExtra = Object.fromEntries(Object.entries(x).filter(([k]) => k !== "data_size" && k !== "window_changes"));
    await this.tx(async () => {
      await this.db.run(
        `INSERT INTO recordings VALUES ($id, $path, $kind, $sid, $pid, $email, $target, $user,
          make_timestamp($start::BIGINT) AT TIME ZONE 'UTC', make_timestamp($end::BIGINT) AT TIME ZONE 'UTC', $dur,
          $pty, $term, $w, $h, $cmd, $hasExit, $status, $signal, $error, $core, $complete, $dcode, $damage,
          $events, $fromClient, $fromServer, $extra::JSON, $content, $ingest)`,
        {
          id: recordingId, path, kind, sid: ctx.sessionId, pid: ctx.programId, email: ctx.userEmail, target: ctx.targetId, user: ctx.username,
          start: startMicros, end: endMicros, dur: startMicros !== null && endMicros !== null ? Number(endMicros - startMicros) / 1e6 : digest.lastMicros / 1e6,
          pty: info.pty !== null, term: info.pty?.term ?? null, w: info.pty?.width ?? null, h: info.pty?.height ?? null, cmd: info.command,
          hasExit: exit !== null, status: exit?.status ?? null, signal: exit?.signal ?? null, error: exit?.errorMessage ?? null, core: exit?.coreDumped ?? null,
          complete: err === null, dcode: err?.code ?? null, damage: err ? err.message : null,
          events: digest.events, fromClient: digest.bytesFromClient, fromServer: digest.bytesFromServer,
          extra: JSON.stringify(headerExtra), content, ingest: this.summary.ingestId,
        },
      );
      for (const c of commands) appendCommand(this.commands, ctx, c.kind, c, c.masked);
      for (const l of digest.transcript) appendTranscriptLine(this.transcripts, ctx, l);
      this.commands.flushSync();
      this.transcripts.flushSync();
      await recordFiles(this.db, this.summary.ingestId, this.known, [{ path, scan, kind, dataset: null, rows: 1, duplicates: 0, badLines: 0, note: err ? err.message : null }]);
    });
    this.summary.rows.recordings!++;
    this.summary.rows.commands! += commands.length;
    this.summary.rows.recording_transcripts! += digest.transcript.length;
    this.summary.ingested++;
    if (err) this.summary.partial.push({ path, why: err.message.replace(/\.$/, ""), code: err.code });
  }

  /**
   * Fills who and where on recordings and their commands from Logpush rows of the same session,
   * and keeps one row per exec command when the proxy's index and its capture both state it.
   */
  async link(): Promise<void> {
    await this.db.run(`DELETE FROM commands AS c WHERE c.source = 'ssh_logs' AND c.kind = 'exec' AND EXISTS (
      SELECT 1 FROM commands AS r WHERE r.source = 'recording' AND r.kind = 'exec' AND r.session_id = c.session_id
        AND r.program_id IS NOT DISTINCT FROM c.program_id AND r.command = c.command)`);
    await this.db.run(`UPDATE recordings AS r SET user_email = coalesce(r.user_email, s.UserEmail), target_id = coalesce(r.target_id, s.TargetID), username = coalesce(r.username, s.Username)
      FROM (SELECT SessionID, any_value(UserEmail) AS UserEmail, any_value(TargetID) AS TargetID, any_value(Username) AS Username FROM ssh_logs GROUP BY SessionID) AS s
      WHERE r.session_id = s.SessionID AND (r.user_email IS NULL OR r.target_id IS NULL OR r.username IS NULL)`);
    await this.db.run(`UPDATE commands AS c SET user_email = coalesce(c.user_email, r.user_email), target_id = coalesce(c.target_id, r.target_id), username = coalesce(c.username, r.username)
      FROM recordings AS r
      WHERE c.source = 'recording' AND c.recording_id = r.recording_id AND (c.user_email IS NULL OR c.target_id IS NULL OR c.username IS NULL)
        AND (r.user_email IS NOT NULL OR r.target_id IS NOT NULL OR r.username IS NOT NULL)`);
  }
}

/**
 * One dataset's Logpush files going into the store on a connection of their own, so that
 * datasets go in side by side: one's COMMIT (single-threaded in DuckDB) or its commands
 * derivation runs while another's INSERT reads. Each batch is one transaction on this connection.
 */
class LogpushLane {
  constructor(private readonly ing: Ingest, private readonly db: AuditDb) {}

  private tx<T>(fn: () => Promise<T>): Promise<T> {
    return inTransaction(this.db, fn, () => this.ing.commits(async () => { await this.db.run("COMMIT"); }));
  }

  /** Ingests one dataset's files, in batches; `scans` were started early so they overlap earlier inserts. */
  async run(dataset: DatasetName, inputs: DetectedInput[], scans: LaneScans): Promise<void> {
    const batchBytes = this.ing.opts.batchBytes ?? 128 * 1024 * 1024;
    // Files of one statement share compression and whether unknown fields are to be kept.
    const groups = new Map<string, DetectedInput[]>();
    for (const f of inputs) {
      const k = `${f.gzip ? 1 : 0}${(f.extraFields?.length ?? 0) > 0 ? 1 : 0}`;
      groups.set(k, [...(groups.get(k) ?? []), f]);
    }
    const batches: DetectedInput[][] = [];
    for (const g of groups.values()) {
      let cur: DetectedInput[] = [];
      let bytes = 0;
      for (const f of g) {
        const b = f.bytes;
        if (cur.length > 0 && (bytes + b > batchBytes || cur.length >= 1000)) { batches.push(cur); cur = []; bytes = 0; }
        cur.push(f);
        bytes += b;
      }
      if (cur.length > 0) batches.push(cur);
    }
    for (const batch of batches) {
      const todo: LaneFile[] = [];
      for (const f of batch) {
        const { hash, check } = scans.get(f.path)!;
        const scan = await hash;
        if (scan instanceof Error) {
          this.ing.summary.badFiles.push({ path: f.path, why: `it could not be read (${messageOf(scan)})` });
        } else if (this.ing.known.has(scan.sha256) || this.ing.claimed.has(scan.sha256)) {
          this.ing.summary.alreadyIndexed++;
        } else {
          this.ing.claimed.add(scan.sha256);
          todo.push({ f, hash: scan, check });
          continue;
        }
        this.ing.progress(1, f.bytes);
      }
      if (todo.length > 0) await this.insertFiles(dataset, todo);
    }
  }

  /** Whether `dataset` holds any record yet (when not, new records need no check against it). */
  private async hasRows(dataset: DatasetName): Promise<boolean> {
    const r = await this.db.rows<{ x: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${dataset}) AS x`);
    return r[0]?.x === true;
  }

  /**
   * The whole scan of `x` (hash, line counts, gzip intact), or why it must not go in: a damaged
   * gzip stream, or a read error.
   */
  private async fullScan(x: LaneFile): Promise<FileScan | string> {
    const c = await x.check;
    if (c instanceof Error) return `it could not be read (${messageOf(c)})`;
    if (c.gzipError !== null) return `it is a damaged gzip file (${c.gzipError}); nothing from it was indexed, fetch it again from the Logpush destination`;
    return { ...c, sha256: x.hash.sha256 };
  }

  private async insertFiles(dataset: DatasetName, files: LaneFile[]): Promise<void> {
    const id = this.ing.summary.ingestId;
    const withExtra = (files[0]!.f.extraFields?.length ?? 0) > 0;
    let added = 0;
    let records = 0;
    let derived = 0;
    try {
      const antiJoin = await this.hasRows(dataset);
      await this.tx(async () => {
        const paths = files.map((x) => x.f.path);
        const gzip = files[0]!.f.gzip === true;
        // Files whose records carry unknown fields go through json_transform to keep them.
        const batchBytes = files.reduce((n, x) => n + x.f.bytes, 0);
        const inserted = await this.ing.withProgress(this.db, batchBytes, this.db.run(insertSql({ dataset, source: withExtra ? linesSource(paths, gzip) : { files: paths, gzip }, ingestId: id, withExtra, missingKey: "error", antiJoin })));
        // DuckDB's reader may stop quietly at gzip damage: nothing commits until every file inflated whole.
        const full = await Promise.all(files.map((x) => this.fullScan(x)));
        if (full.some((x) => typeof x === "string")) throw new DamagedFiles("damaged gzip files in the batch");
        const scans = full as FileScan[];
        const recordsOf = (s: FileScan): number => s.lines - s.emptyLines;
        const repeated = await this.removeRepeated(dataset, paths, antiJoin ? null : inserted);
        // When no stored record could be left out (an empty table), none came twice and every
        // line went in, each file added its own records; otherwise they are counted per file.
        const allIn = !antiJoin && repeated === 0 && inserted === scans.reduce((n, s) => n + recordsOf(s), 0);
        const perFile = allIn ? new Map(files.map(({ f }, i) => [f.path, recordsOf(scans[i]!)])) : new Map((await this.db.rows<{ f: string; n: bigint }>(
          `SELECT _file AS f, count(*) AS n FROM ${dataset} WHERE _ingest_id = ${id} AND _file IN (${paths.map(lit).join(", ")}) GROUP BY _file`,
        )).map((r) => [r.f, Number(r.n)]));
        const rec = files.map(({ f }, i) => {
          const rows = perFile.get(f.path) ?? 0;
          added += rows;
          records += recordsOf(scans[i]!);
          return { path: f.path, scan: scans[i]!, kind: "logpush", dataset, rows, duplicates: recordsOf(scans[i]!) - rows, badLines: 0, note: null };
        });
        await recordFiles(this.db, this.ing.summary.ingestId, this.ing.known, rec);
        if (dataset === "ssh_logs") derived = await this.deriveFromSshLogs(paths);
      });
    } catch (err) {
      if (err instanceof SshLogError && err.code === "ERR_DATABASE_LOCKED") throw err;
      // Damaged gzip files are named and left out, whatever failed first; the rest goes in again.
      const full = await Promise.all(files.map((x) => this.fullScan(x)));
      const rest = files.filter((_, i) => typeof full[i] !== "string");
      if (rest.length < files.length) {
        files.forEach(({ f }, i) => {
          const why = full[i]!;
          if (typeof why !== "string") return;
          this.ing.summary.badFiles.push({ path: f.path, why });
          this.ing.progress(1, f.bytes);
        });
        if (rest.length > 0) await this.insertFiles(dataset, rest);
        return;
      }
      if (files.length > 1) {
        // Something in the batch is not clean: find it file by file.
        for (const x of files) await this.insertFiles(dataset, [x]);
        return;
      }
      await this.insertCarefully(dataset, files[0]!.f, full[0] as FileScan, err);
      return;
    }
    for (const { f } of files) {
      this.ing.summary.ingested++;
      this.ing.progress(1, f.bytes);
    }
    this.ing.summary.rows[dataset]! += added;
    this.ing.summary.rows.commands! += derived;
    this.ing.summary.duplicates += records - added;
  }

  /**
   * Removes the batch's records whose key came twice in it, and says how many. When the table
   * was empty before the batch (`inserted` given), its rows are the batch's: a count of distinct
   * keys tells whether there is any to remove.
   */
  private async removeRepeated(dataset: DatasetName, paths: string[], inserted: number | null): Promise<number> {
    if (inserted !== null) {
      const [d] = await this.db.rows<{ n: bigint }>(distinctKeysSql(dataset));
      if (Number(d?.n ?? -1) === inserted) return 0;
    }
    return this.db.run(dedupeBatchSql(dataset, this.ing.summary.ingestId, paths));
  }

  /**
   * The slow path for one file that failed the fast one: lines staged with a validity flag, so
   * bad lines are counted and left out and the rest goes in. A file that fails even so is named.
   */
  private async insertCarefully(dataset: DatasetName, f: DetectedInput, scan: FileScan, firstError: unknown): Promise<void> {
    const keyFields = { access_requests: ["RayID"], ssh_logs: ["SessionID", "ProgramID"], zero_trust_network_sessions: ["SessionID"] }[dataset];
    const hasKey = keyFields.map((k) => `json_extract_string(line, '$.${k}') IS NOT NULL`).join(" AND ");
    let derived = 0;
    try {
      await this.tx(async () => {
        await this.db.run(`CREATE OR REPLACE TEMP TABLE ssh_log_stage AS
          SELECT line, filename, CASE WHEN trim(line) = '' THEN NULL WHEN json_valid(line) AND json_type(line) = 'OBJECT' THEN (${hasKey}) ELSE false END AS ok
          FROM ${linesSource([f.path], f.gzip === true)} WHERE line IS NOT NULL`);
        const c = (await this.db.rows<{ good: bigint; bad: bigint }>(`SELECT count(*) FILTER (WHERE ok) AS good, count(*) FILTER (WHERE NOT ok) AS bad FROM ssh_log_stage`))[0]!;
        const good = Number(c.good);
        const bad = Number(c.bad);
        // The file's rows: those inserted (records stored before left out) less those that came twice in it.
        const inserted = await this.db.run(insertSql({ dataset, source: "(SELECT line, filename FROM ssh_log_stage WHERE ok)", ingestId: this.ing.summary.ingestId, withExtra: (f.extraFields?.length ?? 0) > 0, missingKey: "skip", antiJoin: true }));
        const rows = inserted - await this.db.run(dedupeBatchSql(dataset, this.ing.summary.ingestId, [f.path]));
        await recordFiles(this.db, this.ing.summary.ingestId, this.ing.known, [{ path: f.path, scan, kind: "logpush", dataset, rows, duplicates: good - rows, badLines: bad, note: bad > 0 ? `${bad} bad lines left out` : null }]);
        if (dataset === "ssh_logs") derived = await this.deriveFromSshLogs([f.path]);
        this.ing.summary.rows[dataset]! += rows;
        this.ing.summary.duplicates += good - rows;
        this.ing.summary.badLines += bad;
        if (bad > 0) this.ing.summary.filesWithBadLines.push({ path: f.path, why: `${bad} of its lines ${bad === 1 ? "is" : "are"} not a JSON record with ${keyFields.join(" and ")} and ${bad === 1 ? "was" : "were"} left out` });
        this.ing.summary.ingested++;
      });
      this.ing.summary.rows.commands! += derived;
      await this.db.run("DROP TABLE IF EXISTS ssh_log_stage");
    } catch (err) {
      if (err instanceof SshLogError && err.code === "ERR_DATABASE_LOCKED") throw err;
      this.ing.summary.badFiles.push({ path: f.path, why: `it could not be read as Logpush NDJSON (${messageOf(err ?? firstError)}); nothing from it was indexed` });
    }
    this.ing.progress(1, f.bytes);
  }

  /**
   * Commands from the ssh_logs rows added from `paths` (payloads, or the proxy index's Command), in
   * SQL; returns how many went in (only the INSERTs change rows: CREATE TABLE AS and DROP count 0).
   */
  private async deriveFromSshLogs(paths: string[]): Promise<number> {
    let added = 0;
    for (const sql of payloadDerivationSql(this.ing.summary.ingestId, paths)) added += await this.db.run(sql);
    return added;
  }
}

/** How index takes the key and the logs, for the swapped-arguments sentence. */
const INDEX_USAGE = "ssh-log index FILES... -i KEY";

/** Runs at most `n` of the given async jobs at once, in the order they were asked for. */
function limiter(n: number): <T>(job: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: Array<() => void> = [];
  const next = (): void => {
    if (active >= n) return;
    const start = queue.shift();
    if (start) { active++; start(); }
  };
  return <T>(job: () => Promise<T>): Promise<T> => new Promise<T>((resolve, reject) => {
    queue.push(() => { job().then(resolve, reject).finally(() => { active--; next(); }); });
    next();
  });
}

/**
 * Indexes every file under `paths` into the store and says what happened. One bad file never
 * stops the others: it is named in `badFiles` with the reason.
 *
 * @example const s = await ingestPaths(db, ["logpush/"]); console.log(s.rows, s.duplicates);
 */
export async function ingestPaths(db: AuditDb, paths: string[], opts: IngestOptions = {}): Promise<IngestSummary> {
  const prepared = await prepareIngest(paths, opts);
  try {
    return await prepared.into(db);
  } finally {
    prepared.dispose();
  }
}

/** Inputs found, recognised and checked, with the key read: what is left needs the store. */
export interface PreparedIngest {
  /** Indexes the inputs into `db` (once). */
  into(db: AuditDb): Promise<IngestSummary>;
  /** Wipes the key. */
  dispose(): void;
}

/**
 * The first half of `ingestPaths`, which needs no store: walks `paths`, recognises every file and
 * reads the key. Its errors (a missing path, a key given as an input, a key that cannot be read)
 * come before `ssh-log index` creates or opens the store, so a mistyped command leaves no store.
 *
 * @example
 *   const p = await prepareIngest(paths, { keyPath });
 *   try { summary = await p.into(await openAuditDb(path, { write: true })); } finally { p.dispose(); }
 */
export async function prepareIngest(paths: string[], opts: IngestOptions = {}): Promise<PreparedIngest> {
  const started = performance.now();
  const files = await listInputs(paths);
  // Recognised four at a time (reads and inflates run on the thread pool).
  const four = limiter(4);
  const detected = await Promise.all(files.map((p) => four(() => detectInput(p))));
  // The files named in `paths` themselves (a shell glob can name thousands), not met in a folder.
  const named = new Set(paths);
  // A key file named as an input (not one met while walking a folder): the key and the inputs
  // were given the wrong way round, as a capture given as the key is (below).
  for (const d of detected) {
    if (d.kind === "unknown" && d.bytes <= MAX_KEY_TEXT_BYTES && named.has(d.path) && isKeyText(await readHead(d.path, MAX_KEY_TEXT_BYTES, "input"))) throw keyGivenAsLogError(d.path, INDEX_USAGE);
  }
  // The key is read once, up front: a key that cannot be read would fail every capture the same
  // way, and its warnings (loose permissions) are said once. It is wiped when the ingest ends.
  const privateKey = opts.keyPath && detected.some((d) => d.kind === "capture") ? await readPrivateKeyFile(opts.keyPath, (m) => opts.warn?.(m), INDEX_USAGE) : null;
  return {
    async into(db) {
      const summary = await ingestDetected(db, opts, detected, privateKey, started);
      // A file named in `paths` that could not be indexed carries the code of its failure, as
      // export's inputs do: a capture without -i is a usage error, the rest are not audit inputs.
      const byPath = new Map(detected.filter((d) => named.has(d.path)).map((d) => [d.path, d] as const));
      for (const s of summary.skipped) {
        const d = byPath.get(s.path);
        if (d) s.code = d.kind === "capture" ? ErrorCode.Usage : d.bytes === 0 ? ErrorCode.EmptyFile : ErrorCode.BadInput;
      }
      return summary;
    },
    dispose() { privateKey?.fill(0); },
  };
}

/** The rest of `ingestPaths`, once every input is recognised and the key read. */
async function ingestDetected(db: AuditDb, opts: IngestOptions, detected: DetectedInput[], privateKey: Uint8Array | null, started: number): Promise<IngestSummary> {
  const idRow = await db.rows<{ id: number | null }>(`SELECT max(ingest_id) AS id FROM ingested_files`);
  const ing = new Ingest(db, opts, Number(idRow[0]?.id ?? 0) + 1, privateKey);
  await ing.init(detected);
  try {
    for (const d of detected) {
      if (d.kind === "unknown" && d.damaged) {
        ing.summary.badFiles.push({ path: d.path, why: `${d.why ?? "it is damaged"}; nothing from it was indexed` });
        ing.progress(1, d.bytes);
      } else if (d.kind === "unknown") {
        ing.summary.skipped.push({ path: d.path, why: `it is not an audit input: ${d.why ?? "not recognised"}` });
        ing.progress(1, d.bytes);
      }
    }
    await ing.logpushLanes(detected.filter((d) => d.kind === "logpush"));
    for (const d of detected) {
      if (d.kind === "capture" || d.kind === "zip" || d.kind === "asciicast") await ing.recording(d);
    }
    await ing.link();
  } catch (err) {
    throw databaseError(err, db.path);
  } finally {
    ing.close();
  }
  ing.summary.seconds = (performance.now() - started) / 1000;
  return ing.summary;
}
