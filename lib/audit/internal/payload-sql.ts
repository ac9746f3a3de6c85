/**
 * Commands and transcripts from ssh_logs payloads, set-based in DuckDB (so a month of payloads
 * costs seconds, not a JavaScript loop per row). The rules are those of session-text.ts, which
 * reads recordings: keystrokes of PTY programs edited by Backspace, Ctrl-U, Ctrl-W and Ctrl-C and
 * ended by Enter; output split into lines at "\n", escape sequences removed, "\b" applied and a
 * lone "\r" overwriting the line from its start.
 */
import { lit } from "./logpush-sql.js";

/** The escape sequences stripped from text (RE2 syntax; the same set as session-text.ts). */
export const ESCAPES_RE2 = String.raw`\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[PX^_][^\x1b]*\x1b\\|\x1b[()*+][0-~]|\x1b[ -/]*[0-OQ-WYZ\\\x60a-~]|\x{9b}[0-?]*[ -/]*[@-~]`;

/**
 * A prompt for a secret at the end of the output before a typed line (the same rule as
 * lib/terminal/secrets.ts): the line typed after it is stored masked.
 */
export const SECRET_PROMPT_RE2 = String.raw`(?i)(pass(word|phrase|code)|\bpin\b|one-time|verification code|\botp\b|\btoken\b)[^\n]*[:：]\s*$`;

/** A cheap first test: the output holds one of the prompt words at all. */
const SECRET_WORD_RE2 = String.raw`(?i)pass(word|phrase|code)|pin|one-time|verification code|otp|token`;

/** What a masked command is stored as. */
export const MASKED = "********";

/** The number of `ch` characters in the SQL string expression `e`. */
function countOf(e: string, ch: string): string {
  return `(length(${e}) - length(replace(${e}, ${ch}, '')))`;
}

/**
 * The statements that derive commands from the ssh_logs rows added by ingest `ingestId` from
 * `files`: a table of the terminal programs with their events as lists (made once, read twice),
 * then INSERTs into commands. Everything is per-row list work (no joins or windows over events), so it costs
 * about one JSON parse of each payload. Payloads are asciicast v2 (absolute event times).
 *
 * @example for (const sql of payloadDerivationSql(3, ["a.log.gz"])) await db.run(sql);
 */
export function payloadDerivationSql(ingestId: number, files: string[]): string[] {
  const esc = lit(ESCAPES_RE2);
  const secret = lit(SECRET_PROMPT_RE2);
  return [
    `CREATE OR REPLACE TEMP TABLE ssh_log_prog AS
      WITH p AS (
        SELECT SessionID, ProgramID, UserEmail, TargetID, Username,
          coalesce(ProgramStartDatetime, SessionStartDatetime, Datetime) AS start,
          coalesce(ProgramType, '') <> 'exec' AND coalesce(PTY, '') <> '' AS pty,
          CASE WHEN coalesce(Payload, '') <> '' THEN string_split(try(decode(from_base64(Payload))), chr(10)) END AS lines,
          _extra->>'Command' AS proxy_command
        FROM ssh_logs WHERE _ingest_id = ${ingestId} AND _file IN (${files.map(lit).join(", ")})
      )
      SELECT * EXCLUDE (lines),
        CASE WHEN json_valid(lines[1]) THEN json_extract_string(lines[1], '$.command') END AS head_command,
        -- Only terminal programs have typed commands: the others' events are not parsed here.
        CASE WHEN pty THEN list_filter(list_transform(lines[2:], l -> CASE WHEN l LIKE '[%' THEN try(json_transform(l, '["VARCHAR"]')) END),
          e -> e IS NOT NULL AND len(e) >= 3 AND e[2] IN ('i', 'o') AND TRY_CAST(e[1] AS DOUBLE) IS NOT NULL AND e[3] IS NOT NULL) END AS evs
      FROM p`,
    // Typed commands (PTY programs): the keystrokes up to each Enter, with the line editing
    // applied; the time is that of the event holding the Enter.
    `INSERT INTO commands
      WITH p AS (
        SELECT *, list_transform(list_filter(evs, e -> e[2] = 'i'), e -> [e[1], replace(e[3], chr(10), chr(13))]) AS ievs
        FROM ssh_log_prog WHERE pty AND evs IS NOT NULL
      ), q AS (
        SELECT *,
          string_split(regexp_replace(array_to_string(list_transform(ievs, e -> e[2]), ''), ${esc}, '', 'g'), chr(13)) AS pieces,
          flatten(list_transform(ievs, e -> list_transform(range(${countOf("e[2]", "chr(13)")}), x -> e[1]::DOUBLE))) AS enter_t,
          list_transform(list_filter(evs, e -> e[2] = 'o'), e -> [e[1], e[3]]) AS oevs
        FROM p WHERE len(ievs) > 0
      ), m AS (
        -- A line is masked when the output since the previous Enter ends with a secret prompt
        -- (a password is not echoed, so nothing follows the prompt).
        -- Most programs show no such word at all, and skip the per-line check.
        SELECT *, CASE WHEN regexp_matches(array_to_string(list_transform(oevs, o -> o[2]), ''), ${lit(SECRET_WORD_RE2)})
          THEN list_transform(range(1, len(enter_t) + 1), k -> regexp_matches(regexp_replace(array_to_string(list_transform(
            list_filter(oevs, o -> o[1]::DOUBLE > coalesce(enter_t[k - 1], -1) AND o[1]::DOUBLE <= enter_t[k]), o -> o[2]), ''), ${esc}, '', 'g'), ${secret}))
          ELSE list_transform(enter_t, x -> false) END AS masks
        FROM q
      ), c AS (
        SELECT SessionID, ProgramID, UserEmail, TargetID, Username, start,
          unnest(pieces[1:len(pieces) - 1]) AS raw, unnest(enter_t) AS t, unnest(masks) AS masked
        FROM m WHERE len(enter_t) > 0
      ), e AS (
        -- Editing keys are replayed character by character, only in lines that hold one.
        SELECT *, trim(CASE WHEN regexp_matches(raw, '[\\x00-\\x08\\x0a-\\x1f\\x7f]') THEN list_reduce(string_split(raw, ''), (acc, ch) -> CASE
            WHEN ch = chr(127) OR ch = chr(8) THEN left(acc, length(acc) - 1)
            WHEN ch = chr(21) OR ch = chr(3) THEN ''
            WHEN ch = chr(23) THEN regexp_replace(acc, '\\S+\\s*$', '')
            WHEN ch = chr(9) OR ch >= ' ' THEN acc || ch
            ELSE acc END, '') ELSE raw END, ' ' || chr(9)) AS command
        FROM c
      )
      SELECT 'ssh_logs', SessionID, ProgramID, NULL, UserEmail, TargetID, Username,
        start + to_microseconds(round(t * 1e6)::BIGINT), t, 'typed', CASE WHEN masked THEN ${lit(MASKED)} ELSE command END, masked
      FROM e WHERE command <> ''`,
    // Exec commands: the proxy index's Command, else the payload header's "command".
    `INSERT INTO commands
      SELECT 'ssh_logs', SessionID, ProgramID, NULL, UserEmail, TargetID, Username, start, 0, 'exec', coalesce(proxy_command, head_command), false
      FROM ssh_log_prog WHERE coalesce(proxy_command, head_command, '') <> ''`,
    `DROP TABLE IF EXISTS ssh_log_prog`,
  ];
}

/**
 * The output lines of every ssh_logs payload, computed when read (the `transcripts` view): split
 * at "\n", each line timed when its "\n" arrived (the last line: the last output), escapes
 * removed, then per "\r" segment backspaces applied and controls dropped, the segments drawn
 * over each other from the line start. Computing them on read keeps this work (several times
 * that of the commands) out of ingest; a search over a month of payloads still takes seconds.
 */
export function payloadTranscriptSql(): string {
  const esc = lit(ESCAPES_RE2);
  return `WITH p AS (
      SELECT SessionID, ProgramID, UserEmail, TargetID, Username, coalesce(ProgramStartDatetime, SessionStartDatetime, Datetime) AS start,
        string_split(try(decode(from_base64(Payload))), chr(10)) AS lines
      FROM ssh_logs WHERE coalesce(Payload, '') <> ''
    ), q AS (
      SELECT SessionID, ProgramID, UserEmail, TargetID, Username, start,
        list_filter(list_transform(lines[2:], l -> CASE WHEN l LIKE '[%' THEN try(json_transform(l, '["VARCHAR"]')) END),
          e -> e IS NOT NULL AND len(e) >= 3 AND e[2] = 'o' AND TRY_CAST(e[1] AS DOUBLE) IS NOT NULL AND e[3] IS NOT NULL) AS oevs
      FROM p
    ), r AS (
      SELECT *, string_split(array_to_string(list_transform(oevs, e -> e[3]), ''), chr(10)) AS raw_lines,
        list_append(flatten(list_transform(oevs, e -> list_transform(range(${countOf("e[3]", "chr(10)")}), x -> e[1]::DOUBLE))), oevs[-1][1]::DOUBLE) AS line_t
      FROM q WHERE len(oevs) > 0
    ), l AS (
      SELECT SessionID, ProgramID, UserEmail, TargetID, Username, start, unnest(raw_lines) AS raw, unnest(line_t) AS t, generate_subscripts(raw_lines, 1) - 1 AS line_no
      FROM r
    ), x AS (
      SELECT *, regexp_replace(list_reduce(
          list_transform(string_split(regexp_replace(raw, ${esc}, '', 'g'), chr(13)), seg -> regexp_replace(
            CASE WHEN contains(seg, chr(8)) THEN list_reduce(string_split(seg, ''), (acc, ch) -> CASE WHEN ch = chr(8) THEN left(acc, length(acc) - 1) ELSE acc || ch END, '') ELSE seg END,
            '[\\x00-\\x08\\x0a-\\x1f\\x7f]', '', 'g')),
          (u, top) -> top || substr(u, length(top) + 1), ''), '\\s+$', '') AS text
      FROM l
    )
    SELECT 'ssh_logs' AS source, SessionID AS session_id, ProgramID AS program_id, NULL::VARCHAR AS recording_id,
      UserEmail AS user_email, TargetID AS target_id, Username AS username, line_no::INTEGER AS line_no,
      start + to_microseconds(round(t * 1e6)::BIGINT) AS ts, t AS offset_s, text
    FROM x WHERE text <> ''`;
}
