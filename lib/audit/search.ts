/**
 * Text search over what was typed (`commands`) and what the server showed (`transcripts`: output
 * with control sequences stripped, one row per line). It is a scan, not an index: case-insensitive
 * substring match (ILIKE with the text escaped) or, with `regex`, RE2 through `regexp_matches`.
 * DuckDB scans a few million lines a second on one core, which is enough for a month of
 * sessions; DuckDB's fts extension would need a download, which this tool never does.
 *
 * @example
 *   const rs = await searchText(db, "rm -rf", { user: "alice@example.com" });
 */
import { UsageError } from "../errors.js";
import type { ResultSet } from "./format-result.js";
import { checkRe2 } from "./internal/re2-check.js";
import type { AuditDb } from "./open-db.js";
import { runQuery } from "./query.js";
import { normalizeBound } from "./reports.js";

export interface SearchOptions {
  user?: string | null;
  target?: string | null;
  since?: string | null;
  until?: string | null;
  /** Treat the text as an RE2 regular expression. */
  regex?: boolean;
  /** Search only commands, or only output; default both. */
  in?: "all" | "commands" | "output";
  /** Most rows returned (default 1000). */
  limit?: number;
}

/** `text` as a LIKE pattern that matches it literally anywhere. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Finds `text` in commands and session output; each row gives when, who, where, the session,
 * and the offset in seconds to jump to in a replay.
 *
 * @example await searchText(db, "passwd", { in: "commands" })
 */
export async function searchText(db: AuditDb, text: string, o: SearchOptions = {}): Promise<ResultSet> {
  if (text === "") throw new UsageError("The search text is empty; give the text to look for, such as \"rm -rf\".");
  const limit = o.limit ?? 1000;
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit ${o.limit} is not a positive whole number.`);
  const where = o.regex ? "regexp_matches(%s, $q)" : "%s ILIKE $q ESCAPE '\\'";
  const q = o.regex ? text : likePattern(text);
  if (o.regex) await checkRe2(db, q, (why) => `${text} is not a valid RE2 regular expression (${why}); fix it, or leave out --regex to look for the text as it is.`);
  const parts: string[] = [];
  if (o.in !== "output") {
    parts.push(`SELECT ts AS time, user_email AS "user", target_id AS target, username AS unix_user, 'command' AS found_in,
        command AS text, session_id, round(offset_s, 3) AS offset_s, source
      FROM commands WHERE ${where.replace("%s", "command")}`);
  }
  if (o.in !== "commands") {
    parts.push(`SELECT ts AS time, user_email AS "user", target_id AS target, username AS unix_user, 'output' AS found_in,
        text, session_id, round(offset_s, 3) AS offset_s, source
      FROM transcripts WHERE ${where.replace("%s", "text")}`);
  }
  const sql = `SELECT * FROM (${parts.join("\nUNION ALL\n")}) AS hit
    WHERE ssh_log_within(time, $since::TIMESTAMPTZ, $until::TIMESTAMPTZ)
      AND ssh_log_user("user", unix_user, $user::VARCHAR)
      AND ssh_log_match(target, $target::VARCHAR)
    ORDER BY time NULLS LAST, session_id, offset_s
    LIMIT ${limit}`;
  return runQuery(db, sql, {
    q, since: normalizeBound(o.since, "since"), until: normalizeBound(o.until, "until"), user: o.user ?? null, target: o.target ?? null,
  }, "The search");
}
