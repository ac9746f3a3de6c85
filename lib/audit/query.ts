/**
 * Runs any SQL against the audit store and streams the result. The store is opened read-only for
 * queries, so a query can never change the evidence.
 *
 * @example
 *   const rs = await runQuery(db, "SELECT Email, count(*) FROM access_requests WHERE NOT Allowed GROUP BY 1");
 *   await writeResult(rs, "table", (s) => process.stdout.write(s));
 */
import type { DuckDBResult, DuckDBValue } from "@duckdb/node-api";
import { ErrorCode, SshLogError, UsageError } from "../errors.js";
import type { ResultSet } from "./format-result.js";
import { type AuditDb, databaseError, duckdbReason } from "./open-db.js";

/**
 * The sentence for SQL DuckDB refused: what is wrong, in DuckDB's words cleaned up, with its own
 * suggestion when it has one, and what to do.
 */
function refusedMessage(err: unknown, what: string, sql: string): string {
  const m = err instanceof Error ? err.message : String(err);
  // DuckDB names the statement when the store refuses it, but a write to a view fails earlier
  // ("Can only delete from base table"): the statement's own first word tells those apart.
  const write = /Cannot execute statement of type "([^"]+)" on database .* read-only mode/.exec(m)?.[1]
    ?? /^\s*(INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|TRUNCATE)\b/i.exec(sql)?.[1]?.toUpperCase();
  if (write) {
    return `${what} did not run: queries open the audit database read-only, so a ${write} statement cannot run; the store is changed only by ssh-log index.`;
  }
  // DuckDB's best guess: "Did you mean "recordings"?" for a name, the first of its "Candidate bindings" for a column.
  const guess = /^Did you mean ("[^"]+")\?/m.exec(m)?.[1] ?? /^Candidate bindings: ("[^"]+")/m.exec(m)?.[1];
  const todo = /^Catalog Error: Table with name /.test(m) ? `ssh-log query "SHOW TABLES" lists the tables and views`
    : /^Binder Error: Referenced column /.test(m) ? `ssh-log query "DESCRIBE <table>" lists a table's columns`
      : "ssh-log query --help lists the tables and gives an example";
  return `${what} did not run: ${duckdbReason(err)}${guess ? ` (did you mean ${guess}?)` : ""}; ${todo}.`;
}

/**
 * Starts `sql` and returns its columns and a stream of row chunks. A query DuckDB refuses (a typo,
 * an unknown table, a write on the read-only store) is a UsageError saying why and what to do.
 *
 * @example const rs = await runQuery(db, "SELECT * FROM sessions WHERE user_email = $u", { u: "alice@example.com" });
 */
export async function runQuery(db: AuditDb, sql: string, params?: Record<string, DuckDBValue>, what = "The query"): Promise<ResultSet> {
  // SQL of only comments and semicolons is empty too (DuckDB says "Error in native callback").
  // Any statement keeps at least a character once comments, spaces and semicolons are removed.
  const bare = sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, "").replace(/[\s;]/g, "");
  if (bare === "") throw new UsageError("The query is empty; give SQL such as \"SELECT count(*) FROM sessions\".");
  let result: DuckDBResult;
  try {
    result = await db.con.stream(sql, params);
  } catch (err) {
    const e = databaseError(err, db.path);
    if (e.code === ErrorCode.DatabaseLocked) throw e;
    throw new UsageError(refusedMessage(err, what, sql), { cause: err });
  }
  const columns = result.deduplicatedColumnNames();
  const types = result.columnTypes().map((t) => t.toString());
  async function* rows(): AsyncIterable<unknown[][]> {
    try {
      for await (const chunk of result.yieldRowsJson()) yield chunk;
    } catch (err) {
      if (err instanceof SshLogError) throw err;
      throw new SshLogError(ErrorCode.Database, `${what} failed while reading its rows: ${duckdbReason(err)}.`, { file: db.path, cause: err });
    }
  }
  return { columns, types, rows: rows() };
}

/**
 * Runs `sql` and collects every row as an object with JSON-safe values (for tests and small
 * lookups).
 *
 * @example const [{ n }] = await queryObjects(db, "SELECT count(*) AS n FROM sessions");
 */
export async function queryObjects(db: AuditDb, sql: string, params?: Record<string, DuckDBValue>): Promise<Array<Record<string, unknown>>> {
  const rs = await runQuery(db, sql, params);
  const out: Array<Record<string, unknown>> = [];
  for await (const chunk of rs.rows) for (const r of chunk) out.push(Object.fromEntries(rs.columns.map((c, i) => [c, r[i]])));
  return out;
}
