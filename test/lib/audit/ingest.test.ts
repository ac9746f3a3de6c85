import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuditDb, openAuditDb } from "../../../lib/audit/open-db.js";
import { ingestPaths, type IngestSummary } from "../../../lib/audit/ingest.js";
import { queryObjects } from "../../../lib/audit/query.js";
import { tempDir } from "../../helpers/fixtures.js";
import { filesOf, LOGPUSH_DIR, readRecords, sample, secs, truth } from "./logpush-sample.js";

const num = (v: unknown): number => Number(v);

describe("ingest of the Logpush sample", () => {
  const tmp = tempDir();
  let db: AuditDb;
  let first: IngestSummary;
  let second: IngestSummary;
  let threadsBefore: number;

  beforeAll(async () => {
    db = await openAuditDb(join(tmp.dir, "audit.duckdb"), { write: true });
    threadsBefore = num((await queryObjects(db, "SELECT current_setting('threads') AS t"))[0]!.t);
    first = await ingestPaths(db, [LOGPUSH_DIR]);
    second = await ingestPaths(db, [LOGPUSH_DIR]);
  });
  afterAll(() => { db.close(); tmp.cleanup(); });

  it("stores every record, with the counts truth.json states", async () => {
    const t = truth();
    expect(first.rows.access_requests).toBe(t.access_total);
    expect(first.rows.ssh_logs).toBe(t.ssh_programs);
    const [c] = await queryObjects(db, `SELECT (SELECT count(*) FROM access_requests) AS ar, (SELECT count(DISTINCT SessionID) FROM ssh_logs) AS sessions,
      (SELECT count(*) FROM sessions WHERE source = 'ssh_logs') AS sessions_view, (SELECT sum(BytesSent) FROM zero_trust_network_sessions) AS bytes_sent,
      (SELECT count(*) FROM sessions WHERE username = 'root') AS root_sessions`);
    expect(num(c!.ar)).toBe(t.access_total);
    expect(num(c!.sessions)).toBe(t.ssh_sessions);
    expect(num(c!.sessions_view)).toBe(t.ssh_sessions);
    expect(num(c!.bytes_sent)).toBe(t.bytes_sent_total);
    expect(num(c!.root_sessions)).toBe(t.root_sessions);
    const denied = await queryObjects(db, "SELECT Email, count(*) AS n FROM access_requests WHERE NOT Allowed GROUP BY 1");
    expect(Object.fromEntries(denied.map((r) => [r.Email, num(r.n)]))).toEqual(t.access_denied_by_user);
  });

  it("says what it did: files, rows, the one file that is not an input", () => {
    const datasetFiles = ["access_requests", "ssh_logs", "zero_trust_network_sessions"].flatMap((d) => filesOf(join(LOGPUSH_DIR, d)));
    expect(first.files).toBe(datasetFiles.length + 1);
    expect(first.ingested).toBe(datasetFiles.length);
    expect(first.rows.zero_trust_network_sessions).toBe(sample("zero_trust_network_sessions").length);
    expect(first.duplicates).toBe(0);
    expect(first.badFiles).toEqual([]);
    expect(first.skipped.map((s) => basename(s.path))).toEqual(["truth.json"]);
  });

  it("gives DuckDB back the threads it had once the datasets' lanes are done", async () => {
    const [t] = await queryObjects(db, "SELECT current_setting('threads') AS t");
    expect(num(t!.t)).toBe(threadsBefore);
  });

  it("tracks DuckDB's progress on every connection, lanes included (index's bar reads it there), never printing it", async () => {
    const lane = await db.connect();
    try {
      for (const c of [db, lane]) {
        const [r] = await queryObjects(c, "SELECT current_setting('enable_progress_bar') AS tracked, current_setting('enable_progress_bar_print') AS printed");
        expect(r).toEqual({ tracked: true, printed: false });
      }
    } finally {
      lane.close();
    }
  });

  it("adds nothing when the same files are indexed again", async () => {
    for (const [t, n] of Object.entries(second.rows)) expect(n, t).toBe(0);
    expect(second.alreadyIndexed).toBe(first.ingested);
    const [c] = await queryObjects(db, "SELECT (SELECT count(*) FROM ssh_logs) AS s, (SELECT count(*) FROM commands) AS c, (SELECT count(*) FROM recording_transcripts) AS t");
    expect(num(c!.s)).toBe(first.rows.ssh_logs);
    expect(num(c!.c)).toBe(first.rows.commands);
    expect(num(c!.t)).toBe(first.rows.recording_transcripts);
  });

  it("keeps times as TIMESTAMPTZ equal to the RFC 3339 text", async () => {
    const recs = sample("access_requests");
    const rows = await queryObjects(db, "SELECT RayID, epoch(CreatedAt) AS t FROM access_requests");
    const byRay = new Map(rows.map((r) => [r.RayID, num(r.t)]));
    for (const r of recs) expect(byRay.get(r.RayID)).toBe(secs(r.CreatedAt));
    const [ty] = await queryObjects(db, "SELECT typeof(CreatedAt) AS a, typeof(SessionStartDatetime) AS b FROM access_requests, ssh_logs LIMIT 1");
    expect(ty).toEqual({ a: "TIMESTAMP WITH TIME ZONE", b: "TIMESTAMP WITH TIME ZONE" });
  });

  it("derives one exec command per exec program and the typed commands of shells", async () => {
    const execs = sample("ssh_logs").filter((r) => r.ProgramType === "exec").length;
    const [c] = await queryObjects(db, "SELECT count(*) FILTER (WHERE kind = 'exec') AS e, count(*) FILTER (WHERE kind = 'typed') AS t FROM commands WHERE source = 'ssh_logs'");
    expect(num(c!.e)).toBe(execs);
    expect(num(c!.t)).toBeGreaterThan(0);
  });
});

describe("ingest of damaged and mixed inputs", () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it("reads gzipped and plain files, RFC 3339 and unix-time datetimes alike", async () => {
    const src = filesOf(join(LOGPUSH_DIR, "access_requests"));
    const dir = join(tmp.dir, "mixed", "access_requests", "20261001");
    mkdirSync(dir, { recursive: true });
    src.forEach((f, i) => {
      const out = join(dir, `${String(i).padStart(4, "0")}-${basename(f)}`);
      if (i % 2 === 0) { copyFileSync(f, out); return; }
      // Odd files: plain NDJSON with CreatedAt as unix seconds, milliseconds or nanoseconds.
      const lines = readRecords(f).map((r, k) => {
        const s = secs(r.CreatedAt);
        const unix = k % 3 === 0 ? s : k % 3 === 1 ? s * 1000 : `${s}000000000`;
        return JSON.stringify({ ...r, CreatedAt: unix }).replace(/"CreatedAt":"(\d+)"/, '"CreatedAt":$1');
      });
      writeFileSync(out.replace(/\.gz$/, ""), `${lines.join("\n")}\n`);
    });
    const db = await openAuditDb(join(tmp.dir, "mixed.duckdb"), { write: true });
    try {
      const s = await ingestPaths(db, [join(tmp.dir, "mixed")]);
      expect(s.badFiles).toEqual([]);
      expect(s.rows.access_requests).toBe(400);
      const rows = await queryObjects(db, "SELECT RayID, epoch(CreatedAt) AS t, _file LIKE '%.gz' AS gz FROM access_requests");
      const byRay = new Map(rows.map((r) => [r.RayID, num(r.t)]));
      for (const r of sample("access_requests")) expect(byRay.get(r.RayID), String(r.RayID)).toBe(secs(r.CreatedAt));
      expect(new Set(rows.map((r) => r.gz))).toEqual(new Set([true, false]));
    } finally {
      db.close();
    }
  });

  it("skips a damaged .gz and a bad line, names them, and ingests everything else", async () => {
    const src = filesOf(join(LOGPUSH_DIR, "ssh_logs"));
    const dir = join(tmp.dir, "damaged", "20261014");
    mkdirSync(dir, { recursive: true });
    const mid = Math.floor(src.length / 2);
    let lost = 0;
    let badLineFile = "";
    let cutFile = "";
    src.forEach((f, i) => {
      const out = join(dir, `${String(i).padStart(4, "0")}.log.gz`);
      if (i === mid) {
        // Cut in the middle of the deflate stream.
        const gz = readFileSync(f);
        writeFileSync(out, gz.subarray(0, Math.floor(gz.length / 2)));
        lost = readRecords(f).length;
        cutFile = out;
      } else if (i === mid + 1) {
        const lines = gunzipSync(readFileSync(f)).toString("utf8").split("\n").filter((l) => l !== "");
        lines.splice(1, 0, '{"SessionID": "broken", "ProgramID": ');
        writeFileSync(out, gzipSync(`${lines.join("\n")}\n`));
        badLineFile = out;
      } else {
        copyFileSync(f, out);
      }
    });
    const db = await openAuditDb(join(tmp.dir, "damaged.duckdb"), { write: true });
    try {
      const s = await ingestPaths(db, [join(tmp.dir, "damaged")]);
      expect(s.badFiles.map((b) => b.path)).toEqual([cutFile]);
      expect(s.badFiles[0]!.why).toMatch(/gzip/);
      expect(s.filesWithBadLines.map((b) => b.path)).toEqual([badLineFile]);
      expect(s.badLines).toBe(1);
      expect(s.rows.ssh_logs).toBe(sample("ssh_logs").length - lost);
      const [c] = await queryObjects(db, "SELECT count(*) AS n FROM ssh_logs");
      expect(num(c!.n)).toBe(sample("ssh_logs").length - lost);
      const files = await queryObjects(db, "SELECT path, bad_lines::INTEGER AS bad_lines FROM ingested_files WHERE bad_lines > 0");
      expect(files).toEqual([{ path: badLineFile, bad_lines: 1 }]);
    } finally {
      db.close();
    }
  });

  it("counts the rows and commands a file with a bad line adds, less records repeated or stored, as the store holds them", async () => {
    const recs = sample("ssh_logs").slice(0, 6);
    const dir = join(tmp.dir, "careful");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "a.log"), `${recs.slice(0, 2).map((r) => JSON.stringify(r)).join("\n")}\n`);
    // Two records stored already, one repeated within the file, three new, and a line that is not JSON.
    const lines = [...recs, recs[3]!].map((r) => JSON.stringify(r));
    lines.splice(3, 0, '{"SessionID": "broken", "ProgramID": ');
    writeFileSync(join(dir, "b.log"), `${lines.join("\n")}\n`);
    const db = await openAuditDb(join(tmp.dir, "careful.duckdb"), { write: true });
    try {
      const a = await ingestPaths(db, [join(dir, "a.log")]);
      const s = await ingestPaths(db, [join(dir, "b.log")]);
      expect(s.badLines).toBe(1);
      expect(s.rows.ssh_logs).toBe(4);
      expect(s.duplicates).toBe(3);
      const [c] = await queryObjects(db, "SELECT (SELECT count(*) FROM ssh_logs) AS logs, (SELECT count(*) FROM commands) AS commands");
      expect(num(c!.logs)).toBe(6);
      expect(num(c!.commands)).toBe(a.rows.commands! + s.rows.commands!);
      expect(s.rows.commands).toBeGreaterThan(0);
      const [f] = await queryObjects(db, "SELECT rows_added, duplicates, bad_lines FROM ingested_files WHERE path LIKE '%b.log'");
      expect([num(f!.rows_added), num(f!.duplicates), num(f!.bad_lines)]).toEqual([4, 3, 1]);
    } finally {
      db.close();
    }
  });

  it("counts records already stored under another file as duplicates, keeps unknown fields in _extra", async () => {
    const [f1, f2] = filesOf(join(LOGPUSH_DIR, "access_requests"));
    const recs = readRecords(f1!);
    const dir = join(tmp.dir, "dups");
    mkdirSync(dir, { recursive: true });
    copyFileSync(f1!, join(dir, "a.log.gz"));
    const db = await openAuditDb(join(tmp.dir, "dups.duckdb"), { write: true });
    try {
      await ingestPaths(db, [join(dir, "a.log.gz")]);
      // The same records again plus one new one carrying a field this version does not know,
      // and a record repeated within the new file.
      const extra = { ...readRecords(f2!)[0]!, RayID: "new-ray-1", ClientRegion: { city: "Lisbon" } };
      const lines = [...recs, extra, extra].map((r) => JSON.stringify({ ...r, ClientRegion: (r as { ClientRegion?: unknown }).ClientRegion ?? null }));
      writeFileSync(join(dir, "b.log"), `${lines.join("\n")}\n`);
      const s = await ingestPaths(db, [join(dir, "b.log")]);
      expect(s.rows.access_requests).toBe(1);
      expect(s.duplicates).toBe(recs.length + 1);
      const rows = await queryObjects(db, "SELECT RayID, _extra->>'$.ClientRegion.city' AS city FROM access_requests WHERE RayID = 'new-ray-1'");
      expect(rows).toEqual([{ RayID: "new-ray-1", city: "Lisbon" }]);
    } finally {
      db.close();
    }
  });

  it("records each file's own rows and duplicates in ingested_files, in a new store as in one that holds records", async () => {
    const sample4 = readRecords(filesOf(join(LOGPUSH_DIR, "access_requests"))[0]!).slice(0, 4);
    const recs = [...sample4, { ...sample4[0]!, RayID: "per-file-new" }];
    const line = (i: number): string => JSON.stringify(recs[i]);
    const dir = join(tmp.dir, "per-file");
    mkdirSync(dir, { recursive: true });
    // a: three records and an empty line; b: one of a's records again and a new one.
    writeFileSync(join(dir, "a.log"), `${line(0)}\n\n${line(1)}\n${line(2)}\n`);
    writeFileSync(join(dir, "b.log"), `${line(2)}\n${line(3)}\n`);
    writeFileSync(join(dir, "c.log"), `${line(3)}\n${line(4)}`);
    const perFile = async (db: AuditDb): Promise<Record<string, [number, number]>> => Object.fromEntries(
      (await queryObjects(db, "SELECT path, rows_added, duplicates FROM ingested_files")).map((r) => [basename(String(r.path)), [num(r.rows_added), num(r.duplicates)] as [number, number]]));
    const clean = await openAuditDb(join(tmp.dir, "per-file-clean.duckdb"), { write: true });
    try {
      await ingestPaths(clean, [join(dir, "a.log")]);
      expect(await perFile(clean)).toEqual({ "a.log": [3, 0] });
    } finally {
      clean.close();
    }
    const db = await openAuditDb(join(tmp.dir, "per-file.duckdb"), { write: true });
    try {
      const s = await ingestPaths(db, [join(dir, "a.log"), join(dir, "b.log")]);
      expect(s.duplicates).toBe(1);
      expect(await perFile(db)).toEqual({ "a.log": [3, 0], "b.log": [1, 1] });
      await ingestPaths(db, [join(dir, "c.log")]);
      expect((await perFile(db))["c.log"]).toEqual([1, 1]);
    } finally {
      db.close();
    }
  });

  it("masks a line typed after a password prompt in a payload, and applies Backspace", async () => {
    const [tpl] = readRecords(filesOf(join(LOGPUSH_DIR, "ssh_logs"))[0]!);
    const cast = [
      { version: 2, width: 80, height: 24, timestamp: 0 },
      [0.1, "o", "$ "], [1, "i", "sudo ls /root\r"], [1.1, "o", "sudo ls /root\r\n[sudo] password for bob: "],
      [2, "i", "hunter2\r"], [2.1, "o", "\r\nsecret.txt\r\n$ "], [3, "i", "echo donx\x7fe\r"], [3.1, "o", "echo done\r\ndone\r\n$ "],
    ].map((x) => JSON.stringify(x)).join("\n");
    const rec = { ...tpl!, SessionID: "masking-1", ProgramID: "masking-1-0", ProgramType: "shell", PTY: "xterm", Payload: Buffer.from(`${cast}\n`).toString("base64") };
    const dir = join(tmp.dir, "masking");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "m.log"), `${JSON.stringify(rec)}\n`);
    const db = await openAuditDb(join(tmp.dir, "masking.duckdb"), { write: true });
    try {
      await ingestPaths(db, [dir]);
      const rows = await queryObjects(db, "SELECT command, masked, offset_s FROM commands ORDER BY offset_s");
      expect(rows).toEqual([
        { command: "sudo ls /root", masked: false, offset_s: 1 },
        { command: "********", masked: true, offset_s: 2 },
        { command: "echo done", masked: false, offset_s: 3 },
      ]);
      const [leak] = await queryObjects(db, "SELECT (SELECT count(*) FROM commands WHERE command LIKE '%hunter2%') + (SELECT count(*) FROM transcripts WHERE text LIKE '%hunter2%') AS n");
      expect(Number(leak!.n)).toBe(0);
    } finally {
      db.close();
    }
  });

  it("takes a file copied into two folders once, while the datasets go in side by side", async () => {
    // Two copies of one file per dataset, under different names: the lanes run at once, and each
    // file's content goes in once, whichever copy comes first; the other counts as indexed before.
    const dir = join(tmp.dir, "copies");
    const per = ["access_requests", "ssh_logs", "zero_trust_network_sessions"].map((d) => filesOf(join(LOGPUSH_DIR, d))[0]!);
    per.forEach((f, i) => {
      for (const copy of ["a", "b"]) {
        mkdirSync(join(dir, copy), { recursive: true });
        copyFileSync(f, join(dir, copy, `${i}.log.gz`));
      }
    });
    const db = await openAuditDb(join(tmp.dir, "copies.duckdb"), { write: true });
    try {
      const s = await ingestPaths(db, [dir]);
      expect(s.files).toBe(6);
      expect(s.ingested).toBe(3);
      expect(s.alreadyIndexed).toBe(3);
      expect(s.badFiles).toEqual([]);
      const lines = (f: string): number => gunzipSync(readFileSync(f)).toString().split("\n").filter((l) => l.trim() !== "").length;
      const [c] = await queryObjects(db, "SELECT (SELECT count(*) FROM access_requests) AS a, (SELECT count(*) FROM ssh_logs) AS s, (SELECT count(*) FROM zero_trust_network_sessions) AS z, (SELECT count(*) FROM ingested_files) AS f");
      expect([num(c!.a), num(c!.s), num(c!.z), num(c!.f)]).toEqual([...per.map(lines), 3]);
      expect(s.rows.access_requests! + s.rows.ssh_logs! + s.rows.zero_trust_network_sessions!).toBe(per.map(lines).reduce((a, b) => a + b, 0));
    } finally {
      db.close();
    }
  });

  it("gives a code to a file named in the paths that is not an audit input, not to one met in a folder", async () => {
    const dir = join(tmp.dir, "named");
    mkdirSync(join(dir, "inside"), { recursive: true });
    for (const d of [dir, join(dir, "inside")]) {
      writeFileSync(join(d, "empty.log"), "");
      writeFileSync(join(d, "notes.txt"), "not an audit input\n");
    }
    const db = await openAuditDb(join(tmp.dir, "named.duckdb"), { write: true });
    try {
      const s = await ingestPaths(db, [join(dir, "empty.log"), join(dir, "notes.txt"), join(dir, "inside")]);
      expect(s.skipped.map((x) => [x.path.slice(dir.length + 1), x.code])).toEqual([
        ["empty.log", "ERR_EMPTY_FILE"], ["notes.txt", "ERR_BAD_INPUT"], ["inside/empty.log", undefined], ["inside/notes.txt", undefined],
      ]);
      expect(s.badFiles).toEqual([]);
    } finally {
      db.close();
    }
  });

  it("names a path that does not exist", async () => {
    const db = await openAuditDb(join(tmp.dir, "missing.duckdb"), { write: true });
    try {
      await expect(ingestPaths(db, [join(tmp.dir, "nope")])).rejects.toMatchObject({ code: "ERR_NOT_FOUND" });
    } finally {
      db.close();
    }
  });
});
