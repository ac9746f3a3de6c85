import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { openAuditDb } from "../../../lib/audit/open-db.js";
import { ingestPaths } from "../../../lib/audit/ingest.js";
import { tempDir } from "../../helpers/fixtures.js";
import { LOGPUSH_DIR } from "./logpush-sample.js";

/** The gzip files scanFile inflated whole (the integrity check), counted through a wrapper. */
const inflated = vi.hoisted(() => [] as string[]);
vi.mock("../../../lib/audit/internal/scan-file.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../../lib/audit/internal/scan-file.js")>();
  return {
    ...real,
    scanFile: (path: string, opts: Parameters<typeof real.scanFile>[1]) => {
      if (opts.gzip) inflated.push(path);
      return real.scanFile(path, opts);
    },
  };
});

describe("re-indexing", () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it("checks the gzip of a Logpush file only when the store does not hold it yet", async () => {
    const db = await openAuditDb(join(tmp.dir, "audit.duckdb"), { write: true });
    try {
      const first = await ingestPaths(db, [LOGPUSH_DIR]);
      expect(first.ingested).toBeGreaterThan(0);
      expect(inflated.length).toBe(first.ingested);
      inflated.length = 0;
      const again = await ingestPaths(db, [LOGPUSH_DIR]);
      expect(again.alreadyIndexed).toBe(first.ingested);
      expect(inflated).toEqual([]);
    } finally {
      db.close();
    }
  });
});
