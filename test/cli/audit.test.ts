import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/run-cli.js";
import { fixtureCases, tempDirWithKey } from "../helpers/fixtures.js";
import { filesOf, LOGPUSH_DIR, truth } from "../lib/audit/logpush-sample.js";

describe("ssh-log index, query, report, search, export-parquet", () => {
  const k = tempDirWithKey();
  const db = join(k.dir, "audit.duckdb");
  const rec = join(k.dir, "recordings");
  let indexed: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    mkdirSync(rec);
    for (const c of fixtureCases()) copyFileSync(c.log, join(rec, `${c.name}.log`));
    indexed = await runCli(["index", LOGPUSH_DIR, rec, "-i", k.key, "--db", db]);
  });
  afterAll(() => k.cleanup());

  it("index: exits with the worst file's own code, as batch decrypt does (4 wrong key, 3 cut)", async () => {
    const other = join(k.dir, "other-key");
    expect((await runCli(["keygen", "-o", other])).code).toBe(0);
    const log = fixtureCases()[0]!.log;
    const wrong = await runCli(["index", log, "-i", other, "--db", join(k.dir, "wrong.duckdb")]);
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toContain("ERR_WRONG_KEY");
    const bytes = readFileSync(log);
    const cut = join(k.dir, "cut.log");
    writeFileSync(cut, bytes.subarray(0, bytes.length - 10));
    expect((await runCli(["index", cut, "-i", k.key, "--db", join(k.dir, "cut.duckdb")])).code).toBe(3);
  });

  it("index: a key named as the input, or a capture given as the key, is ERR_SWAPPED_ARGUMENTS in index's own terms", async () => {
    const log = fixtureCases()[0]!.log;
    for (const argv of [[k.key, "-i", log], [log, "-i", log]]) {
      const r = await runCli(["index", ...argv, "--db", join(k.dir, "swapped.duckdb")]);
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.stderr).toContain("[ERR_SWAPPED_ARGUMENTS]");
      expect(r.stderr).toContain("wrong way round (use ssh-log index FILES... -i KEY)");
      expect(r.stderr).not.toMatch(/-l LOG|-k KEY/);
    }
    // A key met while walking a folder is only not an audit input.
    const withKey = join(k.dir, "with-key");
    mkdirSync(withKey);
    copyFileSync(k.key, join(withKey, "sshkey"));
    const walked = await runCli(["index", withKey, "--db", join(k.dir, "walked.duckdb")]);
    expect(walked.code).toBe(0);
    expect(walked.stderr).toContain("sshkey: it is not an audit input");
  });

  it("index: a missing input, a key named as the input or a missing key leaves no store behind", async () => {
    const log = fixtureCases()[0]!.log;
    const cases: Array<[string[], number]> = [
      [[join(k.dir, "no-such-export")], 6],
      [[k.key, "-i", k.key], 2],
      [[log, "-i", join(k.dir, "no-such-key")], 6],
    ];
    for (const [argv, code] of cases) {
      const store = join(k.dir, "never-made.duckdb");
      const r = await runCli(["index", ...argv, "--db", store]);
      expect(r.code, argv.join(" ")).toBe(code);
      expect(r.stderr.trim().split("\n"), argv.join(" ")).toHaveLength(1);
      expect(existsSync(store), argv.join(" ")).toBe(false);
    }
  });

  it("index: a file named on the command line that cannot be indexed sets the exit code (5 empty or not an input, 2 a capture without -i)", async () => {
    const empty = join(k.dir, "empty.log");
    writeFileSync(empty, "");
    const e = await runCli(["index", empty, "--db", join(k.dir, "named.duckdb")]);
    expect(e.code).toBe(5);
    expect(e.stderr).toContain("empty.log: it is not an audit input: it is empty. [ERR_EMPTY_FILE]");
    const notes = join(k.dir, "notes.txt");
    writeFileSync(notes, "not an audit input\n");
    expect((await runCli(["index", notes, "--db", join(k.dir, "named.duckdb")])).code).toBe(5);
    const noKey = await runCli(["index", fixtureCases()[0]!.log, "--db", join(k.dir, "named.duckdb")]);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain("no key was given (pass -i KEY). [ERR_USAGE]");
    // The same files met while walking a folder are only listed.
    const folder = join(k.dir, "named-in-folder");
    mkdirSync(folder);
    for (const f of [empty, notes, fixtureCases()[0]!.log]) copyFileSync(f, join(folder, f.split("/").pop()!));
    const walked = await runCli(["index", folder, "--db", join(k.dir, "named.duckdb")]);
    expect(walked.code).toBe(0);
    expect(walked.stderr).toContain("Not indexed (3):");
  });

  it("index: of a wrong-key capture, a cut capture and a damaged gzip, exits 4, the worst", async () => {
    const other = join(k.dir, "worst-key");
    expect((await runCli(["keygen", "-o", other])).code).toBe(0);
    const dir = join(k.dir, "worst");
    mkdirSync(dir);
    const bytes = readFileSync(fixtureCases()[0]!.log);
    writeFileSync(join(dir, "cut.log"), bytes.subarray(0, bytes.length - 10));
    copyFileSync(fixtureCases()[1]!.log, join(dir, "whole.log"));
    const gz = readFileSync(filesOf(join(LOGPUSH_DIR, "access_requests"))[0]!);
    writeFileSync(join(dir, "bad.log.gz"), gz.subarray(0, gz.length - 9));
    // With the right key: a partial recording and a damaged gzip, 3; with another key, 4.
    expect((await runCli(["index", dir, "-i", k.key, "--db", join(k.dir, "worst-right.duckdb")])).code).toBe(3);
    expect((await runCli(["index", dir, "-i", other, "--db", join(k.dir, "worst-wrong.duckdb")])).code).toBe(4);
  });

  it("index: indexes everything and prints a summary with rows per table", () => {
    expect(indexed.code).toBe(0);
    expect(indexed.stderr).toMatch(/Indexed \d+ of \d+ files into .*audit\.duckdb/);
    expect(indexed.stderr).toMatch(/access_requests\s+400 rows added/);
    expect(indexed.stderr).toMatch(/recordings\s+7 rows added/);
    expect(indexed.stderr).toContain("truth.json: it is not an audit input");
  });

  it("index again: adds nothing; --json says so", async () => {
    const r = await runCli(["index", LOGPUSH_DIR, rec, "-i", k.key, "--db", db, "--json"]);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(Object.values(s.rows).every((n) => n === 0)).toBe(true);
    expect(s.alreadyIndexed).toBeGreaterThan(390);
  });

  it("query --format json: one array of row objects with numbers", async () => {
    const r = await runCli(["query", "SELECT Email, count(*) AS n FROM access_requests WHERE NOT Allowed GROUP BY 1 ORDER BY 1", "--db", db, "--format", "json"]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ Email: string; n: number }>;
    expect(Object.fromEntries(rows.map((x) => [x.Email, x.n]))).toEqual(truth().access_denied_by_user);
  });

  it("query: SQL from stdin, csv, and a table that fits COLUMNS", async () => {
    const csv = await runCli(["query", "-", "--db", db, "--format", "csv"], { stdin: "SELECT count(*) AS n FROM sessions" });
    expect(csv.stdout).toBe("n\r\n138\r\n");
    const table = await runCli(["query", "SELECT * FROM sessions ORDER BY started_at LIMIT 20", "--db", db], { env: { COLUMNS: "80" } });
    expect(table.code).toBe(0);
    for (const line of table.stdout.trimEnd().split("\n")) expect([...line].length).toBeLessThanOrEqual(80);
    expect(table.stderr).toContain("20 rows.");
  });

  it("query: bad SQL and a bad --format are usage errors; a missing store is named", async () => {
    expect((await runCli(["query", "SELEC 1", "--db", db])).code).toBe(2);
    const f = await runCli(["query", "SELECT 1", "--db", db, "--format", "xml"]);
    expect(f.code).toBe(2);
    expect(f.stderr).toContain("[ERR_USAGE]");
    const m = await runCli(["query", "SELECT 1", "--db", join(k.dir, "nope.duckdb")]);
    expect(m.code).toBe(6);
    expect(m.stderr).toContain("[ERR_NOT_FOUND]");
  });

  it("query: SQL of only comments and semicolons is empty, as no SQL is", async () => {
    for (const sql of ["", ";", " -- nothing\n;", "/* x */ ;;"]) {
      const r = await runCli(["query", sql, "--db", db]);
      expect(r.code, sql).toBe(2);
      expect(r.stderr, sql).toBe(`ssh-log: The query is empty; give SQL such as "SELECT count(*) FROM sessions". [ERR_USAGE]\n`);
    }
    const dashes = await runCli(["query", "SELECT '--' AS d -- a comment", "--db", db, "--format", "csv"]);
    expect(dashes.stdout).toBe("d\r\n--\r\n");
  });

  it("index and query: a folder given as --db is ERR_IS_DIRECTORY, exit 6, with the same sentence", async () => {
    const folder = join(k.dir, "a-folder");
    mkdirSync(folder);
    const w = await runCli(["index", join(k.dir, "none.log"), "--db", folder]);
    const r = await runCli(["query", "SELECT 1", "--db", folder]);
    expect(w.code).toBe(6);
    expect(r.code).toBe(6);
    expect(w.stderr).toBe(`ssh-log: The audit database ${folder} is a directory; give the path of a .duckdb file with --db. [ERR_IS_DIRECTORY]\n`);
    expect(w.stderr).toBe(r.stderr);
  });

  it("query: a refused query is one plain sentence with what to do; a write says only index changes the store", async () => {
    const bad = await runCli(["query", "SELEC 1", "--db", db]);
    expect(bad.stderr).toBe(`ssh-log: The query did not run: syntax error at or near "SELEC"; ssh-log query --help lists the tables and gives an example. [ERR_USAGE]\n`);
    const table = await runCli(["query", "SELECT * FROM nosuch", "--db", db]);
    expect(table.code).toBe(2);
    expect(table.stderr).toMatch(/^ssh-log: The query did not run: Table with name nosuch does not exist( \(did you mean "\w+"\?\))?; ssh-log query "SHOW TABLES" lists the tables and views\. \[ERR_USAGE\]\n$/);
    const del = await runCli(["query", "DELETE FROM access_requests", "--db", db]);
    expect(del.code).toBe(2);
    expect(del.stderr).toBe("ssh-log: The query did not run: queries open the audit database read-only, so a DELETE statement cannot run; the store is changed only by ssh-log index. [ERR_USAGE]\n");
  });

  it("report: lists the reports with their controls; runs one as csv", async () => {
    const list = await runCli(["report", "--db", db]);
    expect(list.code).toBe(0);
    for (const n of ["denied-access", "privileged-sessions", "risky-commands", "after-hours", "unterminated", "first-access", "user-activity"]) expect(list.stdout).toContain(n);
    expect(list.stdout).toContain("PCI DSS");
    const help = await runCli(["report", "--help"]);
    expect(help.stdout).toMatch(/denied-access\s+PCI DSS 4\.0 10\.2\.1\.4/);
    const r = await runCli(["report", "denied-access", "--since", "2026-10-01", "--db", db, "--format", "csv"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\r\n");
    expect(lines[0]).toBe("user,app,country,denials,ip_addresses,first_denied,last_denied");
    const total = lines.slice(1).reduce((n, l) => n + Number(l.split(",")[3]), 0);
    expect(total).toBe(Object.values(truth().access_denied_by_user).reduce((a, b) => a + b, 0));
    const ah = await runCli(["report", "after-hours", "--tz", "Europe/Berlin", "--start-hour", "7", "--end-hour", "19", "--target", "*prod*", "--db", db, "--format", "json"]);
    expect(ah.code).toBe(0);
    for (const row of JSON.parse(ah.stdout) as Array<{ target: string }>) expect(row.target).toContain("prod");
    expect((await runCli(["report", "nope", "--db", db])).code).toBe(2);
    expect((await runCli(["report", "after-hours", "--start-hour", "25", "--db", db])).code).toBe(2);
  });

  it("report risky-commands --patterns FILE uses that list", async () => {
    const pf = join(k.dir, "patterns.txt");
    writeFileSync(pf, "# mine\nrestart\tsystemctl\\s+restart\n");
    const r = await runCli(["report", "risky-commands", "--patterns", pf, "--db", db, "--format", "json"]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ pattern: string; command: string }>;
    expect(rows.length).toBeGreaterThan(0);
    for (const x of rows) { expect(x.pattern).toBe("restart"); expect(x.command).toMatch(/systemctl\s+restart/); }
  });

  it("search: finds a command with who, where, when and the replay offset", async () => {
    const r = await runCli(["search", "rm -rf", "--user", "alice@example.com", "--db", db, "--format", "json"]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(rows.length).toBeGreaterThan(0);
    for (const x of rows) {
      expect(x.user).toBe("alice@example.com");
      expect(Object.keys(x)).toEqual(["time", "user", "target", "unix_user", "found_in", "text", "session_id", "offset_s", "source"]);
      expect(typeof x.offset_s).toBe("number");
      expect(String(x.time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    }
    expect((await runCli(["search", "x", "--in", "elsewhere", "--db", db])).code).toBe(2);
  });

  it("search: --since is inclusive and --until exclusive", async () => {
    const all = JSON.parse((await runCli(["search", "rm -rf", "--db", db, "--format", "json"])).stdout) as Array<{ time: string }>;
    const t = all.map((x) => x.time).sort()[0]!;
    const count = async (...window: string[]): Promise<number> =>
      (JSON.parse((await runCli(["search", "rm -rf", "--db", db, "--format", "json", ...window])).stdout) as unknown[]).length;
    const at = all.filter((x) => Date.parse(x.time) - Date.parse(t) < 1000).length;
    expect(await count("--since", t)).toBe(all.length);
    expect(await count("--until", t)).toBe(0);
    expect(await count("--since", t, "--until", new Date(Date.parse(t) + 1000).toISOString())).toBe(at);
  });

  it("export-parquet: writes each table and refuses to overwrite without --force", async () => {
    const out = join(k.dir, "warehouse");
    const r = await runCli(["export-parquet", "--out", out, "--db", db, "--json"]);
    expect(r.code).toBe(0);
    const tables = JSON.parse(r.stdout).tables as Array<{ table: string; rows: number }>;
    expect(tables.find((t) => t.table === "access_requests")!.rows).toBe(400);
    const again = await runCli(["export-parquet", "--out", out, "--db", db]);
    expect(again.code).toBe(6);
    expect(again.stderr).toContain("[ERR_OUTPUT_EXISTS]");
    expect((await runCli(["export-parquet", "--out", out, "--db", db, "--force"])).code).toBe(0);
  });

  it("index: a damaged gzip in the folder is named, the rest goes in, exit 3", async () => {
    const dir = join(k.dir, "damaged");
    mkdirSync(dir);
    const files = filesOf(join(LOGPUSH_DIR, "access_requests")).slice(0, 5);
    files.forEach((f, i) => copyFileSync(f, join(dir, `${i}.log.gz`)));
    const gz = readFileSync(files[2]!);
    writeFileSync(join(dir, "2.log.gz"), gz.subarray(0, gz.length - 9));
    const r = await runCli(["index", dir, "--db", join(k.dir, "damaged.duckdb")]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/Bad files, not indexed \(1\):\n {2}.*2\.log\.gz: it is a damaged gzip file/);
    expect(r.stderr).toMatch(/Indexed 4 of 5 files/);
    // Every record of the four whole files went in, and none of the damaged one (DuckDB's reader
    // takes a gzip cut in its trailer quietly: the batch's INSERT ran, and was rolled back).
    const whole = files.filter((_, i) => i !== 2).reduce((n, f) => n + gunzipSync(readFileSync(f)).toString().trim().split("\n").length, 0);
    const q = await runCli(["query", "--db", join(k.dir, "damaged.duckdb"), "--format", "json", "select count(*) as n, count(*) filter (where _file like '%/2.log.gz') as bad from access_requests"]);
    expect(JSON.parse(q.stdout)).toEqual([{ n: whole, bad: 0 }]);
  });
});
