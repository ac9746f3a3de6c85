/**
 * The audit store's schema: Logpush tables with Cloudflare's field names, tables for what
 * recordings hold, and the `sessions` and `programs` views that join every source. Applied with
 * CREATE ... IF NOT EXISTS, so opening an existing store is cheap and never loses data.
 *
 * @example for (const sql of schemaStatements()) await con.run(sql);
 */
import { DATASETS, DATASET_NAMES, type Dataset } from "./datasets.js";
import { payloadTranscriptSql } from "./internal/payload-sql.js";

/** Bumped when a table changes shape; stored in `audit_meta`. */
export const SCHEMA_VERSION = 1;

/** Columns every Logpush table carries besides Cloudflare's fields. */
export const LOGPUSH_EXTRA_COLUMNS = [
  ["_extra", "JSON", "fields Cloudflare added that this version does not know, as a JSON object (NULL when none)"],
  ["_file", "VARCHAR", "the file the record was read from"],
  ["_ingest_id", "INTEGER", "the `ssh-log index` run that added it (see ingested_files)"],
] as const;

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** CREATE TABLE for one Logpush dataset. */
export function datasetTableSql(d: Dataset): string {
  const cols = [
    ...d.fields.map(([n, t]) => `${quoteIdent(n)} ${t}`),
    ...LOGPUSH_EXTRA_COLUMNS.map(([n, t]) => `${n} ${t}`),
  ];
  return `CREATE TABLE IF NOT EXISTS ${d.name} (${cols.join(", ")})`;
}

const RECORDING_TABLES = [
  `CREATE TABLE IF NOT EXISTS audit_meta (key VARCHAR PRIMARY KEY, value VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS ingested_files (
    sha256 VARCHAR PRIMARY KEY, path VARCHAR, bytes BIGINT, kind VARCHAR, dataset VARCHAR,
    lines BIGINT, rows_added BIGINT, duplicates BIGINT, bad_lines BIGINT, note VARCHAR,
    ingest_id INTEGER, ingested_at TIMESTAMPTZ)`,
  `CREATE TABLE IF NOT EXISTS recordings (
    recording_id VARCHAR PRIMARY KEY, path VARCHAR, kind VARCHAR, session_id VARCHAR, program_id VARCHAR,
    user_email VARCHAR, target_id VARCHAR, username VARCHAR,
    started_at TIMESTAMPTZ, ended_at TIMESTAMPTZ, duration_s DOUBLE,
    pty BOOLEAN, term VARCHAR, width INTEGER, height INTEGER, command VARCHAR,
    has_exit BOOLEAN, exit_status INTEGER, exit_signal VARCHAR, exit_error VARCHAR, core_dumped BOOLEAN,
    complete BOOLEAN, damage_code VARCHAR, damage VARCHAR,
    events BIGINT, bytes_from_client BIGINT, bytes_from_server BIGINT,
    header_extra JSON, content_sha256 VARCHAR, ingest_id INTEGER)`,
  `CREATE TABLE IF NOT EXISTS commands (
    source VARCHAR, session_id VARCHAR, program_id VARCHAR, recording_id VARCHAR,
    user_email VARCHAR, target_id VARCHAR, username VARCHAR,
    ts TIMESTAMPTZ, offset_s DOUBLE, kind VARCHAR, command VARCHAR, masked BOOLEAN)`,
  `CREATE TABLE IF NOT EXISTS recording_transcripts (
    source VARCHAR, session_id VARCHAR, program_id VARCHAR, recording_id VARCHAR,
    line_no INTEGER, ts TIMESTAMPTZ, offset_s DOUBLE, text VARCHAR)`,
];

const VIEWS = [
  // Output lines: stored for recordings, computed from the payloads for ssh_logs.
  `CREATE OR REPLACE VIEW transcripts AS
  SELECT t.source, t.session_id, t.program_id, t.recording_id, r.user_email, r.target_id, r.username, t.line_no, t.ts, t.offset_s, t.text
  FROM recording_transcripts AS t LEFT JOIN recordings AS r ON r.recording_id = t.recording_id
  UNION ALL
  SELECT * FROM (${payloadTranscriptSql()})`,
  // One row per SSH session: Logpush sessions (programs grouped by SessionID, bytes from the
  // network session of the same SessionID), then recordings that no Logpush session claims.
  `CREATE OR REPLACE VIEW sessions AS
  WITH l AS (
    SELECT SessionID AS session_id,
      any_value(UserEmail) AS user_email, any_value(UserID) AS user_id, any_value(TargetID) AS target_id,
      string_agg(DISTINCT Username, ',' ORDER BY Username) AS username,
      any_value(ClientAddress) AS client_address, any_value(ServerAddress) AS server_address,
      min(coalesce(SessionStartDatetime, ProgramStartDatetime)) AS started_at,
      max(SessionFinishDatetime) AS ended_at,
      count(*) AS programs,
      -- A program's own end time counts: the proxy's index leaves SessionFinishDatetime empty
      -- while the connection stays open after a program ends.
      bool_and(SessionFinishDatetime IS NOT NULL OR ProgramFinishDatetime IS NOT NULL) AS terminated,
      bool_or(coalesce(Error, '') <> '') AS had_error
    FROM ssh_logs GROUP BY SessionID
  ), z AS (
    SELECT SessionID, sum(BytesSent) AS bytes_sent, sum(BytesReceived) AS bytes_received
    FROM zero_trust_network_sessions GROUP BY SessionID
  ), r AS (
    SELECT session_id, any_value(recording_id) AS recording_id, any_value(path) AS recording_path,
      bool_and(complete) AS complete, bool_and(has_exit) AS has_exit
    FROM recordings WHERE session_id IS NOT NULL GROUP BY session_id
  )
  SELECT 'ssh_logs' AS source, l.session_id, l.user_email, l.user_id, l.target_id, l.username,
    l.client_address, l.server_address, l.started_at, l.ended_at, l.programs, l.terminated AND coalesce(r.has_exit, true) AS terminated,
    coalesce(r.complete, true) AS complete, l.had_error,
    z.bytes_sent, z.bytes_received, r.recording_id, r.recording_path
  FROM l LEFT JOIN z ON z.SessionID = l.session_id LEFT JOIN r ON r.session_id = l.session_id
  UNION ALL
  SELECT 'recording' AS source, coalesce(rec.session_id, rec.recording_id) AS session_id, rec.user_email,
    NULL AS user_id, rec.target_id, rec.username, NULL AS client_address, NULL AS server_address,
    rec.started_at, rec.ended_at, 1 AS programs, rec.has_exit AS terminated, rec.complete,
    rec.exit_error IS NOT NULL OR rec.damage_code IS NOT NULL AS had_error,
    rec.bytes_from_client AS bytes_sent, rec.bytes_from_server AS bytes_received,
    rec.recording_id, rec.path AS recording_path
  FROM recordings rec
  WHERE rec.session_id IS NULL OR rec.session_id NOT IN (SELECT SessionID FROM ssh_logs WHERE SessionID IS NOT NULL)`,
  // One row per program (shell, exec, forwarding) of a session; a recording is one program.
  `CREATE OR REPLACE VIEW programs AS
  SELECT 'ssh_logs' AS source, s.SessionID AS session_id, s.ProgramID AS program_id, s.ProgramType AS program_type,
    (SELECT any_value(c.command) FROM commands c WHERE c.source = 'ssh_logs' AND c.kind = 'exec'
       AND c.session_id = s.SessionID AND c.program_id = s.ProgramID) AS command,
    s.UserEmail AS user_email, s.TargetID AS target_id, s.Username AS username, s.PTY AS term,
    s.ProgramStartDatetime AS started_at, s.ProgramFinishDatetime AS finished_at,
    nullif(s.Error, '') AS error, NULL AS recording_id
  FROM ssh_logs s
  UNION ALL
  SELECT 'recording', coalesce(session_id, recording_id), NULL, CASE WHEN pty THEN 'shell' ELSE 'exec' END,
    command, user_email, target_id, username, term, started_at, ended_at,
    coalesce(exit_error, damage), recording_id
  FROM recordings`,
];

/** Every statement that creates the schema, in order; each is safe to run on an existing store. */
export function schemaStatements(): string[] {
  return [...RECORDING_TABLES, ...DATASET_NAMES.map((n) => datasetTableSql(DATASETS[n])), ...VIEWS];
}

/**
 * Connection-local helpers: `ssh_log_ts(text)` turns an RFC 3339 string or a unix time (seconds,
 * milliseconds, microseconds or nanoseconds, told apart by magnitude) into a TIMESTAMPTZ;
 * `ssh_log_within`, `ssh_log_match` and `ssh_log_user` are the reports' --since/--until and
 * --user/--target filters.
 */
export const SESSION_MACROS = [
  `SET TimeZone = 'UTC'`,
  `CREATE OR REPLACE TEMP MACRO ssh_log_ts(v) AS CASE
    WHEN v IS NULL THEN NULL
    WHEN substr(v, 5, 1) = '-' THEN TRY_CAST(v AS TIMESTAMPTZ)
    WHEN TRY_CAST(v AS DOUBLE) IS NULL THEN NULL
    ELSE (CASE
      WHEN abs(v::DOUBLE) >= 1e17 THEN make_timestamp((TRY_CAST(trim(v) AS HUGEINT) // 1000)::BIGINT)
      WHEN abs(v::DOUBLE) >= 1e14 THEN make_timestamp(v::DOUBLE::BIGINT)
      WHEN abs(v::DOUBLE) >= 1e11 THEN make_timestamp((v::DOUBLE * 1000)::BIGINT)
      ELSE make_timestamp((v::DOUBLE * 1000000)::BIGINT) END) AT TIME ZONE 'UTC'
    END`,
  // Report time windows: --since inclusive, --until exclusive; a NULL bound is open.
  `CREATE OR REPLACE TEMP MACRO ssh_log_within(t, since, until) AS (since IS NULL OR t >= since) AND (until IS NULL OR t < until)`,
  // Report filters: exact (case-insensitive), a glob (prod-*), or a host's first label (tgt-prod-db
  // matches tgt-prod-db.infra.example.com). A NULL pattern matches everything.
  `CREATE OR REPLACE TEMP MACRO ssh_log_match(v, pat) AS pat IS NULL OR (v IS NOT NULL AND (
    lower(v) = lower(pat) OR lower(v) GLOB lower(pat) OR split_part(lower(v), '.', 1) = lower(pat)))`,
  // --user on sessions and commands: the person's email or the unix user they logged in as.
  `CREATE OR REPLACE TEMP MACRO ssh_log_user(email, unix_user, pat) AS ssh_log_match(email, pat) OR ssh_log_match(unix_user, pat)`,
];
