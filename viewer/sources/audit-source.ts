/**
 * Sessions from the DuckDB audit store (lib/audit): its `sessions` and `programs` views, the
 * `commands` table and the Logpush `access_requests`. The store is opened read-only; the list's
 * per-session facts (flags, command text for the filter) are gathered once into a temporary table
 * so each page is one small indexed query, instant at 100,000 sessions.
 */
import { NotFoundError, SshLogError, UsageError, ErrorCode } from "../../lib/errors.js";
import { openAuditDb, type AuditDb } from "../../lib/audit/open-db.js";
import { openLogpushRecord } from "../../lib/session/open-logpush-payload.js";
import { openWithKeys } from "./open-with-keys.js";
import { newOutcome, sessionOf, type Session, type SessionEvent } from "../../lib/session/model.js";
import { parseFilter } from "../logic/filter.js";
import { formatTime } from "../logic/format.js";
import { isRisky } from "../logic/risky.js";
import { DEFAULT_RISKY_PATTERNS } from "../../lib/audit/risky-patterns.js";
import { Flag, type CommandEntry, type ContextEvent, type ListPage, type ListQuery, type SessionDetail, type SessionRow, type SessionSource, type SortKey } from "../source.js";

/** The facts the list needs, per session: built once when the store is opened. */
const SNAPSHOT_SQL = (riskyRe: string): string => `
CREATE OR REPLACE TEMP TABLE viewer_sessions AS
WITH p AS (
  SELECT session_id, string_agg(DISTINCT program_type, ',' ORDER BY program_type) AS programs
  FROM programs GROUP BY session_id
), c AS (
  SELECT coalesce(session_id, recording_id) AS session_id,
    lower(string_agg(command, chr(10) ORDER BY ts)) AS text,
    bool_or(regexp_matches(command, ${sqlString(riskyRe)})) AS risky
  FROM commands GROUP BY ALL
), r AS (
  SELECT recording_id, has_exit, exit_status, exit_signal, exit_error, core_dumped FROM recordings
)
SELECT
  s.source || ':' || s.session_id AS id, s.source, s.session_id, s.recording_id,
  epoch(s.started_at) AS started, s.user_email, s.target_id, s.username, p.programs,
  CASE WHEN s.ended_at IS NULL OR s.started_at IS NULL THEN NULL ELSE epoch(s.ended_at) - epoch(s.started_at) END AS duration,
  CASE
    WHEN r.recording_id IS NOT NULL AND NOT coalesce(r.has_exit, false) THEN NULL
    WHEN r.exit_error IS NOT NULL THEN 'error'
    WHEN coalesce(r.core_dumped, false) THEN 'core'
    WHEN r.exit_signal IS NOT NULL AND r.exit_signal <> '' THEN CASE WHEN starts_with(r.exit_signal, 'SIG') THEN r.exit_signal ELSE 'SIG' || r.exit_signal END
    WHEN r.recording_id IS NOT NULL THEN coalesce(r.exit_status, 0)::VARCHAR
    WHEN s.had_error THEN 'error'
    ELSE NULL END AS exit,
  list_contains(string_split(coalesce(s.username, ''), ','), 'root') AS f_root,
  coalesce(c.risky, false) AS f_risky,
  EXISTS (SELECT 1 FROM access_requests a WHERE a.Email = s.user_email AND a.Allowed = false
          AND a.CreatedAt BETWEEN s.started_at - INTERVAL 1 HOUR AND s.started_at) AS f_denied,
  NOT coalesce(s.complete, true) AS f_truncated,
  NOT coalesce(s.terminated, false) AS f_noexit,
  coalesce(c.text, '') AS commands_lower,
  lower(concat_ws(chr(10), s.user_email, s.target_id, s.username, p.programs, s.recording_path)) AS fields_lower
FROM sessions s
LEFT JOIN p ON p.session_id = s.session_id
LEFT JOIN c ON c.session_id = s.session_id
LEFT JOIN r ON r.recording_id = s.recording_id`;

/** A command's number within its program (the same in the detail and the replay). */
const COMMAND_NUMBER = "row_number() OVER (PARTITION BY program_id ORDER BY offset_s, ts, command)";

const ORDER: Record<SortKey, string> = {
  newest: "started DESC NULLS LAST, id",
  oldest: "started ASC NULLS LAST, id",
  longest: "duration DESC NULLS LAST, started DESC, id",
  user: "coalesce(user_email, username) ASC NULLS LAST, started DESC, id",
  target: "target_id ASC NULLS LAST, started DESC, id",
};

const FLAG_COLUMNS: Record<Flag, string> = {
  [Flag.Root]: "f_root", [Flag.Risky]: "f_risky", [Flag.Denied]: "f_denied", [Flag.Truncated]: "f_truncated", [Flag.NoExit]: "f_noexit",
};

/** A SQL string literal. */
function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/**
 * The WHERE clause and its parameters for filter text (same meaning as matchesFilter).
 *
 * @example filterSql('is:root "rm -rf"') // { where: "f_root AND (contains(fields_lower, $1) OR contains(commands_lower, $1))", params: ["rm -rf"] }
 */
export function filterSql(text: string): { where: string; params: string[] } {
  const f = parseFilter(text);
  const params: string[] = [];
  const p = (v: string): string => { params.push(v); return `$${params.length}`; };
  const parts: string[] = f.flags.map((flag) => FLAG_COLUMNS[flag]);
  for (const u of f.user) { const x = p(u); parts.push(`(contains(lower(coalesce(user_email, '')), ${x}) OR contains(lower(coalesce(username, '')), ${x}))`); }
  for (const t of f.target) parts.push(`contains(lower(coalesce(target_id, '')), ${p(t)})`);
  for (const c of f.cmd) parts.push(`contains(commands_lower, ${p(c)})`);
  for (const term of f.terms) { const x = p(term); parts.push(`(contains(fields_lower, ${x}) OR contains(commands_lower, ${x}))`); }
  return { where: parts.length > 0 ? parts.join(" AND ") : "true", params };
}

interface SnapshotRow {
  id: string; source: string; session_id: string; recording_id: string | null; started: number | null;
  user_email: string | null; target_id: string | null; username: string | null; programs: string | null;
  duration: number | null; exit: string | null;
  f_root: boolean; f_risky: boolean; f_denied: boolean; f_truncated: boolean; f_noexit: boolean;
}

const toRow = (r: SnapshotRow): SessionRow => ({
  id: r.id,
  startedAt: r.started ?? 0,
  user: r.user_email,
  target: r.target_id,
  unixUser: r.username,
  program: r.programs,
  durationSec: r.duration,
  exit: r.exit,
  flags: ([Flag.Root, Flag.Risky, Flag.Denied, Flag.Truncated, Flag.NoExit] as const).filter((f) => r[FLAG_COLUMNS[f] as keyof SnapshotRow] === true),
  problem: null,
});

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const epochOf = (v: unknown): number | null => {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.getTime() / 1000;
  const t = Date.parse(String(v));
  return Number.isNaN(t) ? null : t / 1000;
};

/** Space left between one program and the next when a session's programs are played in turn. */
const PROGRAM_GAP_MICROS = 1_000_000;

/**
 * One session made of several Logpush programs (often recorded at the same moment, on separate
 * channels): played one after another, each from its own start or the end of the one before,
 * whichever is later. `shifts` receives where each program begins on that timeline.
 */
function sequentialSession(parts: Array<{ programId: string; session: Session; startMicros: number }>, path: string, shifts: Map<string, number>): Session {
  const first = parts[0]!.session;
  const outcome = newOutcome();
  // Every part is closed when the reading ends, however it ends (the parts not reached included).
  const release = async (): Promise<void> => { await Promise.all(parts.map((p) => p.session.close())); };
  async function* read(): AsyncGenerator<SessionEvent[], void, undefined> {
    try {
      let end = 0;
      for (const [i, { programId, session, startMicros }] of parts.entries()) {
        const shift = i === 0 ? startMicros : Math.max(startMicros, end + PROGRAM_GAP_MICROS);
        shifts.set(programId, shift);
        for await (const batch of session.batches()) {
          const out = batch.map((ev) => ({ ...ev, elapsedMicros: ev.elapsedMicros + shift }));
          if (out.length > 0) end = Math.max(end, out[out.length - 1]!.elapsedMicros);
          outcome.events += out.length;
          yield out;
        }
        if (session.outcome.error && outcome.error === null) outcome.error = session.outcome.error;
      }
      outcome.complete = outcome.error === null;
    } finally {
      await release();
    }
  }
  return sessionOf({ info: { ...first.info, path }, outcome, read, release });
}

/**
 * A SessionSource over an audit database (opened read-only). A locked or broken store does not
 * stop the viewer: the list shows the problem, and R tries again.
 *
 * @example const source = await openAuditSource("ssh-audit.duckdb", ["sshkey"]);
 */
export class AuditSessionSource implements SessionSource {
  readonly title: string;
  private db: AuditDb | null = null;
  private opening: Promise<AuditDb> | null = null;
  /** Where each program of an opened Logpush session starts on its replay timeline, by session id. */
  private readonly shifts = new Map<string, Map<string, number>>();

  constructor(readonly path: string, private readonly keyPaths: readonly string[]) {
    this.title = path;
  }

  /** The store with its list snapshot, opened on first use and again after a failure. */
  private async store(): Promise<AuditDb> {
    if (this.db) return this.db;
    this.opening ??= (async () => {
      const db = await openAuditDb(this.path);
      try {
        const re = DEFAULT_RISKY_PATTERNS.map((r) => `(${r.pattern})`).join("|");
        await db.run(SNAPSHOT_SQL(re));
        await db.run("CREATE INDEX IF NOT EXISTS viewer_sessions_id ON viewer_sessions (id)");
      } catch (err) {
        db.close();
        throw err;
      }
      this.db = db;
      return db;
    })().finally(() => { this.opening = null; });
    return this.opening;
  }

  async list(q: ListQuery): Promise<ListPage> {
    const db = await this.store();
    const { where, params } = filterSql(q.filter);
    const limit = Math.max(0, Math.floor(q.limit));
    const offset = Math.max(0, Math.floor(q.offset));
    const [count] = await db.rows<{ n: bigint }>(`SELECT count(*) AS n FROM viewer_sessions WHERE ${where}`, params);
    const rows = await db.rows<SnapshotRow>(
      `SELECT id, source, session_id, recording_id, started, user_email, target_id, username, programs, duration, exit,
         f_root, f_risky, f_denied, f_truncated, f_noexit
       FROM viewer_sessions WHERE ${where} ORDER BY ${ORDER[q.sort]} LIMIT ${limit} OFFSET ${offset}`, params);
    return { offset, rows: rows.map((r) => toRow({ ...r, started: num(r.started), duration: num(r.duration) })), total: Number(count?.n ?? 0) };
  }

  private async one(id: string): Promise<SnapshotRow> {
    const db = await this.store();
    const [r] = await db.rows<SnapshotRow>(`SELECT * FROM viewer_sessions WHERE id = $1`, [id]);
    if (!r) throw new NotFoundError(`Session ${id} is no longer in ${this.path}; press R to reload the list.`);
    return { ...r, started: num(r.started), duration: num(r.duration) };
  }

  async detail(id: string): Promise<SessionDetail> {
    const db = await this.store();
    const s = await this.one(id);
    const row = toRow(s);
    const [info] = await db.rows<Record<string, unknown>>(`SELECT * FROM sessions WHERE source = $1 AND session_id = $2`, [s.source, s.session_id]);
    const programs = await db.rows<{ program_id: string | null; program_type: string | null; command: string | null; error: string | null; started_at: unknown }>(
      `SELECT program_id, program_type, command, error, started_at FROM programs WHERE session_id = $1 ORDER BY started_at, program_id`, [s.session_id]);
    const fields: Array<[string, string]> = [
      ["Session", s.session_id],
      ["User", [s.user_email, info?.user_id].filter(Boolean).join("  ") || "-"],
      ["Target", [s.target_id, info?.server_address].filter(Boolean).join("  ") || "-"],
      ["Unix user", s.username ?? "-"],
      ["From", String(info?.client_address ?? "-")],
      ["Started", s.started === null ? "-" : `${formatTime(s.started, true)} UTC`],
      ["Ended", epochOf(info?.ended_at) === null ? "no termination data" : `${formatTime(epochOf(info?.ended_at)!, true)} UTC`],
      ["Programs", programs.map((p) => `${p.program_type ?? "?"}${p.command ? ` (${p.command})` : ""}${p.error ? ` error: ${p.error}` : ""}`).join(", ") || "-"],
    ];
    if (info?.bytes_sent !== null && info?.bytes_sent !== undefined) fields.push(["Network", `${Number(info.bytes_sent).toLocaleString("en-US")} bytes sent, ${Number(info.bytes_received ?? 0).toLocaleString("en-US")} received`]);
    if (info?.recording_path) fields.push(["Recording", String(info.recording_path)]);
    // What the store does not know takes no line: the screen is short.
    const known = fields.filter(([, v]) => v !== "-" && v !== "");

    const started = s.started ?? 0;
    const access = s.user_email === null ? [] : await db.rows<{ at: unknown; Action: string | null; Allowed: boolean | null; AppDomain: string | null; IPAddress: string | null; Country: string | null }>(
      `SELECT CreatedAt AS at, Action, Allowed, AppDomain, IPAddress, Country FROM access_requests
       WHERE Email = $1 AND CreatedAt BETWEEN to_timestamp($2) - INTERVAL 1 HOUR AND to_timestamp($2)
       ORDER BY CreatedAt LIMIT 200`, [s.user_email, started]);
    const context: ContextEvent[] = access.map((a) => {
      const denied = a.Allowed === false;
      const action = (a.Action ?? "access").toLowerCase();
      const where = [a.AppDomain, a.IPAddress ? `from ${a.IPAddress}` : null, a.Country ? `(${a.Country})` : null].filter(Boolean).join(" ");
      return {
        at: epochOf(a.at) ?? 0,
        kind: denied ? "denied" : action === "login" ? "login" : action === "logout" ? "logout" : "other",
        text: `${denied ? "DENIED " : ""}${action} ${where}`.trim(),
      };
    });

    // epoch(ts), not ts: a JS Date keeps milliseconds, which moved a command typed at 1.0 s into a
    // session started at .999999 to 0.999001 s (shown +0:00.9, replayed before it was typed).
    const commands = await db.rows<{ at_s: number | null; offset_s: number | null; command: string; program_id: string | null; n: bigint }>(
      `SELECT epoch(ts) AS at_s, offset_s, command, program_id, ${COMMAND_NUMBER} AS n FROM commands
       WHERE coalesce(session_id, recording_id) = $1 AND command IS NOT NULL ORDER BY ts, offset_s, program_id, n`, [s.session_id]);
    return {
      row,
      fields: known,
      context,
      commands: commands.map((c) => {
        const at = num(c.at_s);
        const micros = at !== null && s.started !== null ? Math.max(0, Math.round((at - s.started) * 1e6)) : Math.round((c.offset_s ?? 0) * 1e6);
        return { atMicros: micros, id: `${c.program_id ?? ""}#${c.n}`, text: c.command, risky: isRisky(c.command) };
      }),
      problem: null,
    };
  }

  async open(id: string): Promise<Session> {
    const db = await this.store();
    const s = await this.one(id);
    if (s.recording_id !== null) {
      const [rec] = await db.rows<{ path: string; kind: string }>(`SELECT path, kind FROM recordings WHERE recording_id = $1`, [s.recording_id]);
      if (rec && (s.source === "recording" || !(await this.hasPayloads(db, s.session_id)))) {
        if (rec.kind === "capture" && this.keyPaths.length === 0) throw new UsageError(`Replaying ${rec.path} needs its private key: run ssh-log view again with -i KEY.`, { file: rec.path });
        return openWithKeys(rec.path, this.keyPaths);
      }
    }
    const payloads = await db.rows<Record<string, unknown> & { ProgramID: string; start: unknown }>(
      `SELECT * EXCLUDE (_extra, _file, _ingest_id), coalesce(ProgramStartDatetime, SessionStartDatetime) AS start FROM ssh_logs
       WHERE SessionID = $1 AND Payload IS NOT NULL AND Payload <> '' ORDER BY start, ProgramID`, [s.session_id]);
    if (payloads.length === 0) {
      throw new SshLogError(ErrorCode.NotFound, `Session ${s.session_id} has no recording in ${this.path} (no Logpush payload, no capture indexed); nothing to replay.`);
    }
    const parts = [];
    for (const p of payloads) {
      const record: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(p)) if (k !== "start") record[k] = v instanceof Date ? v.toISOString() : v;
      const session = await openLogpushRecord(record, this.path);
      const start = epochOf(p.start);
      parts.push({ programId: p.ProgramID, session, startMicros: start !== null && s.started !== null ? Math.max(0, Math.round((start - s.started) * 1e6)) : 0 });
    }
    const shifts = new Map<string, number>();
    this.shifts.set(id, shifts);
    return sequentialSession(parts, `logpush:${s.session_id}`, shifts);
  }

  async replayCommands(id: string): Promise<CommandEntry[] | null> {
    const shifts = this.shifts.get(id);
    if (!shifts) return null;
    const db = await this.store();
    const s = await this.one(id);
    const rows = await db.rows<{ program_id: string | null; offset_s: number | null; command: string; n: bigint }>(
      `SELECT program_id, offset_s, command, ${COMMAND_NUMBER} AS n FROM commands
       WHERE source = 'ssh_logs' AND session_id = $1 AND command IS NOT NULL`, [s.session_id]);
    const out: CommandEntry[] = [];
    for (const r of rows) {
      const shift = r.program_id === null ? undefined : shifts.get(r.program_id);
      if (shift === undefined) continue;
      out.push({ atMicros: shift + Math.round((r.offset_s ?? 0) * 1e6), id: `${r.program_id}#${r.n}`, text: r.command, risky: isRisky(r.command) });
    }
    return out.sort((a, b) => a.atMicros - b.atMicros);
  }

  private async hasPayloads(db: AuditDb, sessionId: string): Promise<boolean> {
    const [r] = await db.rows<{ n: bigint }>(`SELECT count(*) AS n FROM ssh_logs WHERE SessionID = $1 AND coalesce(Payload, '') <> ''`, [sessionId]);
    return Number(r?.n ?? 0) > 0;
  }

  async close(): Promise<void> {
    this.db?.close();
    this.db = null;
  }
}

/**
 * Opens the audit source; the store itself opens on the first query, so a locked database shows
 * in the list (with R to try again) instead of ending the program.
 *
 * @example const source = await openAuditSource("ssh-audit.duckdb", []);
 */
export async function openAuditSource(path: string, keyPaths: readonly string[]): Promise<AuditSessionSource> {
  return new AuditSessionSource(path, keyPaths);
}
