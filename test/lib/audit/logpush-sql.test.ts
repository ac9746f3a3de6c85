import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { openAuditDb } from "../../../lib/audit/open-db.js";
import { insertSql } from "../../../lib/audit/internal/logpush-sql.js";
import { tempDir } from "../../helpers/fixtures.js";

const record = (ray: string): string => JSON.stringify({ RayID: ray, Email: "alice@example.com", Allowed: true, CreatedAt: "2026-10-01T10:00:00Z" });

describe("insertSql, read_ndjson fast path", () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  // DuckDB's read_ndjson names "no compression" 'uncompressed' ('none' is read_csv's word and fails here).
  it("reads plain and gzipped NDJSON files in one statement each", async () => {
    const plain = join(tmp.dir, "a.log");
    const gz = join(tmp.dir, "b.log.gz");
    writeFileSync(plain, `${record("r1")}\n${record("r2")}\n`);
    writeFileSync(gz, gzipSync(`${record("r3")}\n`));
    const db = await openAuditDb(join(tmp.dir, "audit.duckdb"), { write: true });
    try {
      await db.run(insertSql({ dataset: "access_requests", source: { files: [plain], gzip: false }, ingestId: 1, withExtra: false, missingKey: "error", antiJoin: false }));
      await db.run(insertSql({ dataset: "access_requests", source: { files: [gz], gzip: true }, ingestId: 1, withExtra: false, missingKey: "error", antiJoin: true }));
      const rows = await db.rows<{ RayID: string; _file: string; t: string }>(`SELECT RayID, _file, strftime(CreatedAt, '%Y-%m-%dT%H:%M:%SZ') AS t FROM access_requests ORDER BY RayID`);
      expect(rows.map((r) => [r.RayID, r._file, r.t])).toEqual([["r1", plain, "2026-10-01T10:00:00Z"], ["r2", plain, "2026-10-01T10:00:00Z"], ["r3", gz, "2026-10-01T10:00:00Z"]]);
    } finally {
      db.close();
    }
  });
});
