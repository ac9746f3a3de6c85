import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDBInstance } from "@duckdb/node-api";
import { type AuditDb, openAuditDb } from "../../../lib/audit/open-db.js";
import { ingestPaths } from "../../../lib/audit/ingest.js";
import { exportParquet, EXPORT_TABLES } from "../../../lib/audit/export-parquet.js";
import { queryObjects, runQuery } from "../../../lib/audit/query.js";
import { tempDir } from "../../helpers/fixtures.js";
import { LOGPUSH_DIR } from "./logpush-sample.js";

describe("the audit store file", () => {
  const tmp = tempDir();
  const path = join(tmp.dir, "audit.duckdb");
  let db: AuditDb;

  beforeAll(async () => {
    db = await openAuditDb(path, { write: true });
    await ingestPaths(db, [LOGPUSH_DIR]);
    db.close();
    db = await openAuditDb(path);
  });
  afterAll(() => { db.close(); tmp.cleanup(); });

  it("connect(): a second connection with the session macros, whose close leaves the store open", async () => {
    const other = await db.connect();
    // Both answer at once, and the sibling has the macros the first one set (ssh_log_ts, UTC).
    const [a, b] = await Promise.all([
      db.rows<{ n: bigint }>("SELECT count(*) AS n FROM access_requests"),
      other.rows<{ t: string }>("SELECT strftime(ssh_log_ts('2026-10-01T00:00:00Z'), '%H:%M') AS t"),
    ]);
    expect(Number(a[0]!.n)).toBeGreaterThan(0);
    expect(b[0]!.t).toBe("00:00");
    other.close();
    expect((await db.rows<{ x: number }>("SELECT 1 AS x"))[0]!.x).toBe(1);
  });

  it("exports every table to Parquet by day, and DuckDB reads back the same rows", async () => {
    const out = join(tmp.dir, "warehouse");
    const r = await exportParquet(db, out);
    expect(r.map((x) => x.table)).toEqual(EXPORT_TABLES.map(([t]) => t));
    const days = readdirSync(join(out, "access_requests"));
    expect(days.length).toBeGreaterThan(20);
    for (const d of days) expect(d).toMatch(/^day=\d{4}-\d{2}-\d{2}$/);
    const inst = await DuckDBInstance.create(":memory:");
    const con = await inst.connect();
    try {
      for (const x of r.filter((t) => t.rows > 0)) {
        const back = await con.runAndReadAll(`SELECT count(*) AS n FROM read_parquet('${x.path}/*/*.parquet', hive_partitioning = true)`);
        expect(Number(back.getRowObjectsJS()[0]!.n), x.table).toBe(x.rows);
      }
      const t = await con.runAndReadAll(`SELECT typeof(CreatedAt) AS t, count(*) FILTER (WHERE strftime(CreatedAt AT TIME ZONE 'UTC', '%Y-%m-%d') <> day::VARCHAR) AS wrong
        FROM read_parquet('${join(out, "access_requests")}/*/*.parquet', hive_partitioning = true) GROUP BY 1`);
      expect(t.getRowObjectsJS()).toEqual([{ t: "TIMESTAMP WITH TIME ZONE", wrong: 0n }]);
    } finally {
      con.closeSync();
      inst.closeSync();
    }
    await expect(exportParquet(db, out)).rejects.toMatchObject({ code: "ERR_OUTPUT_EXISTS" });
    const again = await exportParquet(db, out, { force: true });
    expect(again).toEqual(r);
    writeFileSync(join(tmp.dir, "a-file"), "x");
    await expect(exportParquet(db, join(tmp.dir, "a-file"))).rejects.toMatchObject({ code: "ERR_OUTPUT" });
  });

  it("is read-only for queries: a write is refused with DuckDB's reason", async () => {
    await expect(runQuery(db, "DELETE FROM access_requests")).rejects.toMatchObject({ code: "ERR_USAGE" });
    await expect(runQuery(db, "SELEC 1")).rejects.toMatchObject({ code: "ERR_USAGE" });
    const [c] = await queryObjects(db, "SELECT count(*)::INTEGER AS n FROM access_requests");
    expect(c!.n).toBe(400);
  });

  it("says why a query was refused in one sentence, without DuckDB's prefixes, and what to do", async () => {
    const said = (sql: string): Promise<string> => runQuery(db, sql).then(() => "ran", (e: Error) => e.message);
    expect(await said("SELEC 1")).toBe(`The query did not run: syntax error at or near "SELEC"; ssh-log query --help lists the tables and gives an example.`);
    expect(await said("SELECT * FROM access_request")).toBe(`The query did not run: Table with name access_request does not exist (did you mean "access_requests"?); ssh-log query "SHOW TABLES" lists the tables and views.`);
    expect(await said("SELECT Emial FROM access_requests")).toBe(`The query did not run: Referenced column "Emial" not found in FROM clause (did you mean "Email"?); ssh-log query "DESCRIBE <table>" lists a table's columns.`);
    for (const [sql, kind] of [["DELETE FROM access_requests", "DELETE"], ["CREATE TABLE t (a INTEGER)", "CREATE"], ["UPDATE recordings SET path = ''", "UPDATE"]]) {
      expect(await said(sql!)).toBe(`The query did not run: queries open the audit database read-only, so a ${kind} statement cannot run; the store is changed only by ssh-log index.`);
    }
    // A write to a view fails before DuckDB checks the mode ("Can only delete from base table").
    expect(await said("  delete from sessions")).toBe("The query did not run: queries open the audit database read-only, so a DELETE statement cannot run; the store is changed only by ssh-log index.");
    // No DuckDB error kind, no "!." and no second line is left in any of them.
    for (const sql of ["SELECT 'x'::INTEGER", "SELECT nofunc(1)", "PRAGMA nosuch", "SELECT * FROM nosuch"]) {
      expect(await said(sql)).toMatch(/^The query did not run: (?![A-Z][A-Za-z ]* Error:)[^\n!]*[^.!]; [^\n!]+\.$/);
    }
  });

  it("stores strings without FSST, also where DuckDB would pick it (thousands of distinct IDs)", async () => {
    const file = join(tmp.dir, "ids.log");
    const [tpl] = await queryObjects(db, "SELECT * EXCLUDE (_extra, _file, _ingest_id) FROM access_requests LIMIT 1");
    writeFileSync(file, Array.from({ length: 5000 }, (_, i) => JSON.stringify({ ...tpl, RayID: `${(i * 2654435761).toString(16)}-ray-${i}`, CreatedAt: "2026-10-01T00:00:00Z" })).join("\n"));
    const w = await openAuditDb(join(tmp.dir, "ids.duckdb"), { write: true });
    try {
      await ingestPaths(w, [file]);
      await w.run("CHECKPOINT");
      const kinds = await queryObjects(w, "SELECT DISTINCT compression FROM pragma_storage_info('access_requests') WHERE column_name = 'RayID'");
      expect(kinds.length).toBeGreaterThan(0);
      expect(kinds.map((k) => k.compression)).not.toContain("FSST");
    } finally {
      w.close();
    }
  });

  it("says when there is no store, or when the file is not one", async () => {
    await expect(openAuditDb(join(tmp.dir, "none.duckdb"))).rejects.toMatchObject({ code: "ERR_NOT_FOUND" });
    // A new store in a folder that does not exist: the folder is named, not DuckDB's IO error.
    const lost = join(tmp.dir, "no-such-folder", "a.duckdb");
    await expect(openAuditDb(lost, { write: true })).rejects.toMatchObject({
      code: "ERR_NOT_FOUND", message: `The folder ${join(tmp.dir, "no-such-folder")} for the audit database ${lost} does not exist; create it, or give another path with --db.`,
    });
    // ... nor when that "folder" is a file.
    const aFile = join(tmp.dir, "a-file");
    writeFileSync(aFile, "x");
    await expect(openAuditDb(join(aFile, "a.duckdb"), { write: true })).rejects.toMatchObject({
      code: "ERR_NOT_FOUND", message: `The folder ${aFile} for the audit database ${join(aFile, "a.duckdb")} is a file, not a folder; give another path with --db.`,
    });
    const other = join(tmp.dir, "other.duckdb");
    const inst = await DuckDBInstance.create(other);
    inst.closeSync();
    await expect(openAuditDb(other)).rejects.toMatchObject({ code: "ERR_BAD_INPUT" });
    expect(existsSync(other)).toBe(true);
  });

  it("says a file that is not DuckDB's is not, and offers a new file name only to the writer", async () => {
    const text = join(tmp.dir, "notes.txt");
    writeFileSync(text, "not a database\n".repeat(1000));
    await expect(openAuditDb(text)).rejects.toMatchObject({
      code: "ERR_BAD_INPUT", message: `${text} is not a DuckDB database; give an audit database made by ssh-log index with --db.`,
    });
    await expect(openAuditDb(text, { write: true })).rejects.toMatchObject({
      code: "ERR_BAD_INPUT", message: `${text} is not a DuckDB database; give an audit database made by ssh-log index, or a new file name with --db.`,
    });
  });

  it("says a folder given as the store is a folder, to writers and readers alike", async () => {
    const folder = join(tmp.dir, "a-folder");
    mkdirSync(folder);
    const said = { code: "ERR_IS_DIRECTORY", message: `The audit database ${folder} is a directory; give the path of a .duckdb file with --db.` };
    await expect(openAuditDb(folder, { write: true })).rejects.toMatchObject(said);
    await expect(openAuditDb(folder)).rejects.toMatchObject(said);
  });
});

describe("a store held by another process", () => {
  const tmp = tempDir();
  let child: ChildProcess | null = null;
  afterAll(() => { child?.kill("SIGKILL"); tmp.cleanup(); });

  it("is ERR_DATABASE_LOCKED for a writer and for a reader", async () => {
    const path = join(tmp.dir, "held.duckdb");
    (await openAuditDb(path, { write: true })).close();
    // A second process opens the file for writing and holds it until killed. DuckDB lets go of
    // the lock when the instance is garbage collected: the holder keeps it in a global, and
    // collects once (after the opening code has returned) before saying "held", to prove it.
    const script = `import("@duckdb/node-api").then(async ({ DuckDBInstance }) => { globalThis.held = await DuckDBInstance.create(${JSON.stringify(path)}); setTimeout(() => { gc(); setTimeout(() => process.stdout.write("held\\n"), 20); }, 0); setTimeout(() => {}, 60000); });`;
    child = spawn(process.execPath, ["--expose-gc", "-e", script], { cwd: process.cwd(), stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error("the helper process did not open the store")), 20_000);
      child!.stdout!.on("data", (d: Buffer) => { if (d.toString().includes("held")) { clearTimeout(t); resolve(); } });
    });
    await expect(openAuditDb(path, { write: true })).rejects.toMatchObject({ code: "ERR_DATABASE_LOCKED" });
    const err = await openAuditDb(path).catch((e: unknown) => e as Error & { code: string });
    expect(err).toMatchObject({ code: "ERR_DATABASE_LOCKED" });
    expect((err as Error).message).toMatch(/in use by another ssh-log process \(PID \d+\); wait for it to finish, or give another file with --db/);
  });
});
