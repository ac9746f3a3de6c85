/**
 * Opens the audit store: one embedded DuckDB file (default ./ssh-audit.duckdb), nothing to start.
 * Writers (`index`) open it read-write and create the schema; readers (`query`, `report`,
 * `search`, `export-parquet`) open it read-only. DuckDB lets one process write a file at a time:
 * a second one gets ERR_DATABASE_LOCKED with a sentence saying what to do.
 *
 * @example
 *   const db = await openAuditDb("ssh-audit.duckdb", { write: true });
 *   try { await db.run("SELECT 1"); } finally { db.close(); }
 */
import { existsSync, statSync } from "node:fs";
import { dirname } from "node:path";
import type { DuckDBConnection, DuckDBInstance, DuckDBValue } from "@duckdb/node-api";
import { ErrorCode, NotFoundError, SshLogError, UnreadableError } from "../errors.js";
import { SCHEMA_VERSION, SESSION_MACROS, schemaStatements } from "./schema.js";

/** Where the store lives when --db is not given. */
export { DEFAULT_DB_PATH } from "./defaults.js";

export interface AuditDb {
  readonly path: string;
  readonly con: DuckDBConnection;
  /** Runs SQL (errors become ERR_DATABASE naming the store); for INSERT, UPDATE and DELETE, the rows changed. */
  run(sql: string, params?: Record<string, DuckDBValue> | DuckDBValue[]): Promise<number>;
  /** Runs SQL and returns its rows as plain JS objects (BIGINT as bigint, times as Date-like values). */
  rows<T = Record<string, unknown>>(sql: string, params?: Record<string, DuckDBValue> | DuckDBValue[]): Promise<T[]>;
  /**
   * Another connection to the same store, with its own transactions (DuckDB runs statements of
   * different connections at once); its close() closes only that connection.
   */
  connect(): Promise<AuditDb>;
  /** Closes the connection; for the store's first connection, the store as well. */
  close(): void;
}

export interface OpenAuditDbOptions {
  /** Open for writing (create the file and schema when missing). Default: read-only. */
  write?: boolean;
}

/**
 * DuckDB's message as a clause of our sentence: its first line, without DuckDB's prefixes
 * ("Failed to extract statements:", "Parser Error:") and the "!" or "." it ends with.
 *
 * @example duckdbReason(new Error('Parser Error: syntax error at or near "SELEC"')) // 'syntax error at or near "SELEC"'
 */
export function duckdbReason(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return (m.split("\n")[0] ?? m)
    .replace(/^Failed to extract statements: /, "")
    .replace(/^[A-Z][A-Za-z ]* Error: /, "")
    .replace(/[!.]+$/, "");
}

/**
 * The error for a DuckDB failure on `path`: locked, not a database, or a plain database error.
 * `write` says who opened it: only a writer (`index`) can be told to give a new file name.
 */
export function databaseError(err: unknown, path: string, write = false): SshLogError {
  if (err instanceof SshLogError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  if (/Could not set lock on file|Conflicting lock is held/i.test(msg)) {
    const pid = /PID (\d+)/.exec(msg)?.[1];
    return new SshLogError(ErrorCode.DatabaseLocked, `The audit database ${path} is in use by another ssh-log process${pid ? ` (PID ${pid})` : ""}; wait for it to finish, or give another file with --db.`, { file: path, cause: err });
  }
  if (/is not a valid DuckDB database file|not a valid database/i.test(msg)) {
    const what = write ? "give an audit database made by ssh-log index, or a new file name with --db" : "give an audit database made by ssh-log index with --db";
    return new SshLogError(ErrorCode.BadInput, `${path} is not a DuckDB database; ${what}.`, { file: path, cause: err });
  }
  const first = msg.split("\n")[0] ?? msg;
  return new SshLogError(ErrorCode.Database, `The audit database ${path} failed: ${first.replace(/\.$/, "")}.`, { file: path, cause: err });
}

/**
 * What every connection runs first: DuckDB keeps these settings per connection (scope LOCAL in
 * duckdb_settings()), so the store's first connection and each one connect() makes need their own.
 * Progress is tracked (for index's bar, which reads it from the lane connection running the
 * INSERT), never printed by DuckDB itself.
 */
const CONNECTION_SETUP = [
  "SET enable_progress_bar = true",
  "SET enable_progress_bar_print = false",
  ...SESSION_MACROS,
];

/** An AuditDb over one connection: errors become ERR_DATABASE naming the store. */
function wrapConnection(path: string, con: DuckDBConnection, connect: () => Promise<AuditDb>, close: () => void): AuditDb {
  return {
    path,
    con,
    async run(sql, params) {
      try { return (await con.run(sql, params)).rowsChanged; } catch (err) { throw databaseError(err, path); }
    },
    async rows<T>(sql: string, params?: Record<string, DuckDBValue> | DuckDBValue[]) {
      try {
        const r = await con.runAndReadAll(sql, params);
        return r.getRowObjectsJS() as T[];
      } catch (err) { throw databaseError(err, path); }
    },
    connect,
    close,
  };
}

/**
 * Runs `fn` in an explicit transaction on `db`: `commit` (COMMIT by default) on success, ROLLBACK
 * on any error, which is thrown on.
 *
 * @example await inTransaction(db, async () => { await db.run("INSERT INTO t VALUES (1)"); });
 */
export async function inTransaction<T>(db: AuditDb, fn: () => Promise<T>, commit = async (): Promise<void> => { await db.run("COMMIT"); }): Promise<T> {
  await db.run("BEGIN TRANSACTION");
  try {
    const r = await fn();
    await commit();
    return r;
  } catch (err) {
    try { await db.con.run("ROLLBACK"); } catch { /* already rolled back by DuckDB */ }
    throw err;
  }
}

/**
 * The checks of `openAuditDb` that need no DuckDB: the store's folder exists (to write), the store
 * exists (to read), and it is not a folder. `ssh-log index` runs them before reading its inputs.
 */
export function checkAuditDbPath(path: string, write: boolean): void {
  const folder = dirname(path);
  if (write && !existsSync(folder)) {
    throw new NotFoundError(`The folder ${folder} for the audit database ${path} does not exist; create it, or give another path with --db.`, { file: path });
  }
  if (write && !statSync(folder).isDirectory()) {
    throw new NotFoundError(`The folder ${folder} for the audit database ${path} is a file, not a folder; give another path with --db.`, { file: path });
  }
  if (!write && !existsSync(path)) {
    throw new NotFoundError(`There is no audit database at ${path}; build one with ssh-log index (or point to it with --db FILE).`, { file: path });
  }
  // For a writer too: DuckDB's own words for a folder are an IO error ("Could not read from file").
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new UnreadableError(ErrorCode.IsDirectory, `The audit database ${path} is a directory; give the path of a .duckdb file with --db.`, { file: path });
  }
}

/**
 * Opens (and for writers, creates) the audit store at `path`.
 *
 * @example const db = await openAuditDb("audit.duckdb");   // read-only; ERR_NOT_FOUND when missing
 */
export async function openAuditDb(path: string, opts: OpenAuditDbOptions = {}): Promise<AuditDb> {
  const write = opts.write === true;
  checkAuditDbPath(path, write);
  const { DuckDBInstance, DuckDBTimestampTZValue } = await import("@duckdb/node-api");
  // Times leave the store in UTC, as the store's TimeZone is: the client would otherwise print
  // them at the offset the machine's zone has on the day the process started (-05:00 for a
  // time in New York's summer, when started in winter).
  DuckDBTimestampTZValue.timezoneOffsetInMinutes = 0;
  let inst: DuckDBInstance;
  try {
    inst = await DuckDBInstance.create(path, write ? {} : { access_mode: "READ_ONLY" });
  } catch (err) {
    throw databaseError(err, path, write);
  }
  let con: DuckDBConnection;
  try {
    con = await inst.connect();
  } catch (err) {
    inst.closeSync();
    throw databaseError(err, path);
  }
  const db = wrapConnection(path, con, async () => {
    const extra = await inst.connect().catch((err: unknown) => { throw databaseError(err, path); });
    const sibling = wrapConnection(path, extra, db.connect, () => extra.closeSync());
    try {
      for (const sql of CONNECTION_SETUP) await sibling.run(sql);
    } catch (err) {
      sibling.close();
      throw err;
    }
    return sibling;
  }, () => { con.closeSync(); inst.closeSync(); });
  try {
    if (write) {
      // One transaction: one commit to the file instead of one per statement.
      await inTransaction(db, async () => {
        for (const sql of schemaStatements()) await db.run(sql);
        await db.run(`INSERT OR REPLACE INTO audit_meta VALUES ('schema_version', '${SCHEMA_VERSION}')`);
      });
      // No FSST string compression. DuckDB picks it only for short high-cardinality strings (IDs
      // such as RayID and SessionID; payloads stay uncompressed either way), where it saves a few
      // bytes per value, and trying it on every string column made each COMMIT's checkpoint, which
      // runs on one core, about a quarter slower: see BENCHMARKS.md (ingest) for both figures.
      await db.run("SET disabled_compression_methods = 'fsst'");
      // Row order within a table carries no meaning here (every report orders its rows), and
      // not keeping it lets DuckDB insert in parallel.
      await db.run("SET preserve_insertion_order = false");
    } else {
      const t = await db.rows<{ n: bigint }>(`SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'ingested_files'`);
      if (Number(t[0]?.n ?? 0) === 0) {
        throw new SshLogError(ErrorCode.BadInput, `${path} is a DuckDB file but not an ssh-log audit database; build one with ssh-log index --db FILE.`, { file: path });
      }
    }
    for (const sql of CONNECTION_SETUP) await db.run(sql);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}
