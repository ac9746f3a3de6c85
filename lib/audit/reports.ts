/**
 * Ready-made compliance reports. Each is one .sql file in lib/audit/reports/ whose header comments
 * give its title (`-- title:`), the controls it serves (`-- controls:`) and what it lists
 * (`-- about:`); its filters are named parameters ($since, $until, $user, $target and a few
 * report-specific ones), so an auditor can read, copy and adapt the exact SQL behind a finding.
 *
 * @example
 *   const rs = await runReport(db, "denied-access", { since: "2026-10-01" });
 *   await writeResult(rs, "table", (s) => process.stdout.write(s));
 */
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { UsageError } from "../errors.js";
import type { ResultSet } from "./format-result.js";
import { lit } from "./internal/logpush-sql.js";
import { checkRe2 } from "./internal/re2-check.js";
import type { AuditDb } from "./open-db.js";
import { runQuery } from "./query.js";
import { DEFAULT_RISKY_PATTERNS, type RiskyPattern } from "./risky-patterns.js";

/** The folder holding the report files (copied next to the built code by scripts/copy-assets.js). */
export const REPORTS_DIR = fileURLToPath(new URL("./reports/", import.meta.url));

export interface ReportInfo {
  name: string;
  title: string;
  controls: string;
  about: string;
  sql: string;
  /** The named parameters the SQL uses. */
  params: string[];
}

/**
 * Every report, by name (the file name without .sql), sorted.
 *
 * @example listReports().map((r) => r.name)  // ["after-hours", "denied-access", ...]
 */
export function listReports(dir = REPORTS_DIR): ReportInfo[] {
  return readdirSync(dir).filter((f) => f.endsWith(".sql")).sort().map((f) => {
    const sql = readFileSync(`${dir}${dir.endsWith("/") ? "" : "/"}${f}`, "utf8");
    const meta = (k: string): string => new RegExp(`^-- ${k}:\\s*(.*)$`, "m").exec(sql)?.[1]?.trim() ?? "";
    const params = [...new Set([...sql.matchAll(/\$([a-z_]+)/g)].map((m) => m[1]!))];
    return { name: f.slice(0, -4), title: meta("title"), controls: meta("controls"), about: meta("about"), sql, params };
  });
}

export interface ReportParams {
  /** Inclusive lower bound: an ISO date or date-time (UTC unless it carries an offset). */
  since?: string | null;
  /** Exclusive upper bound; a date alone means the end of that day. */
  until?: string | null;
  /** An email or unix user; a glob such as "*@contractor.io" works. */
  user?: string | null;
  /** A TargetID or AppDomain, its first label, or a glob such as "*prod*". */
  target?: string | null;
  /** after-hours: the working day, local hours [startHour, endHour), in `tz`. */
  startHour?: number;
  endHour?: number;
  tz?: string;
  /** after-hours: count Saturday and Sunday as after hours (default true). */
  weekends?: boolean;
  /** risky-commands: the pattern list (default DEFAULT_RISKY_PATTERNS). */
  patterns?: RiskyPattern[];
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** Checks a --since/--until value and returns it as DuckDB will read it (a date-only until moves to the next midnight). */
export function normalizeBound(v: string | null | undefined, which: "since" | "until"): string | null {
  if (v === null || v === undefined || v === "") return null;
  const s = v.trim();
  // Date.parse takes 2026-02-30 for March 2: the day must be one its month has.
  const day = new Date(`${s.slice(0, 10)}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$/.test(s) || Number.isNaN(Date.parse(DATE_ONLY.test(s) ? `${s}T00:00:00Z` : s.replace(" ", "T")))
    || Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== s.slice(0, 10)) {
    throw new UsageError(`--${which} ${v} is not a date; give YYYY-MM-DD or an ISO date-time such as 2026-10-01T18:00:00Z.`);
  }
  // DuckDB reads 10:00 alone but not 10:00 followed by a zone (10:00+05:30, 10:00Z): give it seconds.
  const withSeconds = s.replace(/^(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2})(?=Z|[+-]|$)/, "$1:00");
  if (which === "until" && DATE_ONLY.test(s)) {
    const d = new Date(`${s}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + 1);
    return d.toISOString().slice(0, 10);
  }
  return withSeconds;
}

/**
 * Runs report `name` with filters and settings, returning its rows as a stream.
 *
 * @example await runReport(db, "after-hours", { tz: "Europe/Berlin", startHour: 7, endHour: 19, target: "*prod*" })
 */
export async function runReport(db: AuditDb, name: string, p: ReportParams = {}): Promise<ResultSet> {
  const report = listReports().find((r) => r.name === name);
  if (!report) {
    throw new UsageError(`There is no report named ${name}; the reports are: ${listReports().map((r) => r.name).join(", ")}.`);
  }
  const startHour = p.startHour ?? 8;
  const endHour = p.endHour ?? 18;
  if (!Number.isInteger(startHour) || !Number.isInteger(endHour) || startHour < 0 || endHour > 24 || startHour >= endHour) {
    throw new UsageError(`The working hours ${startHour}-${endHour} are not valid; give whole hours with 0 <= start < end <= 24, such as --start-hour 8 --end-hour 18.`);
  }
  const tz = p.tz ?? "UTC";
  if (report.params.includes("tz")) {
    const known = await db.rows<{ n: bigint }>(`SELECT count(*) AS n FROM pg_timezone_names() WHERE name = $tz`, { tz });
    if (Number(known[0]?.n ?? 0) === 0) throw new UsageError(`--tz ${tz} is not a time zone DuckDB knows; give an IANA name such as Europe/Berlin or America/New_York.`);
  }
  if (/\bssh_log_risky\b/.test(report.sql)) await loadPatterns(db, p.patterns ?? DEFAULT_RISKY_PATTERNS);
  const values: Record<string, string | number | boolean | null> = {
    since: normalizeBound(p.since, "since"), until: normalizeBound(p.until, "until"),
    user: p.user ?? null, target: p.target ?? null,
    start_hour: startHour, end_hour: endHour, tz, weekends: p.weekends ?? true,
  };
  const params = Object.fromEntries(report.params.map((k) => [k, values[k] ?? null]));
  return runQuery(db, report.sql, params, `The report ${name}`);
}

/**
 * Defines ssh_log_risky(command), the names of the patterns a command matches, after checking
 * each pattern compiles in RE2.
 */
async function loadPatterns(db: AuditDb, patterns: RiskyPattern[]): Promise<void> {
  for (const pat of patterns) {
    const where = pat.file !== undefined && pat.line !== undefined ? `Line ${pat.line} of ${pat.file}` : `The pattern ${pat.name}`;
    await checkRe2(db, pat.pattern, (why) => `${where}, ${pat.pattern}, is not a valid RE2 regular expression (${why}); fix it and run the report again.`, pat.file);
  }
  // Each pattern is a literal in the macro, so DuckDB compiles every expression once (a join on a
  // pattern column would compile one per row).
  const tests = patterns.map((pat) => `CASE WHEN regexp_matches(cmd, ${lit(pat.pattern)}) THEN ${lit(pat.name)} END`);
  await db.run(`CREATE OR REPLACE TEMP MACRO ssh_log_risky(cmd) AS list_filter([${tests.join(", ")}], x -> x IS NOT NULL)`);
}
