import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DuckDBTimestampTZValue } from "@duckdb/node-api";
import { openAuditDb } from "../../../lib/audit/open-db.js";
import { runQuery } from "../../../lib/audit/query.js";
import { writeResult } from "../../../lib/audit/format-result.js";
import { tempDir } from "../../helpers/fixtures.js";

describe("times leave the store in UTC whatever the machine's zone", () => {
  const tmp = tempDir();
  afterEach(() => { DuckDBTimestampTZValue.timezoneOffsetInMinutes = 0; });

  it("a process started in India (+05:30) still prints 2026-10-06T00:00:00.5Z, in json and csv", async () => {
    // What @duckdb/node-api sets when TZ=Asia/Kolkata: the zone's offset at the process's start.
    DuckDBTimestampTZValue.timezoneOffsetInMinutes = 330;
    const db = await openAuditDb(join(tmp.dir, "tz.duckdb"), { write: true });
    try {
      const sql = "SELECT TIMESTAMPTZ '2026-10-06 05:30:00.5+05:30' AS at";
      for (const [format, want] of [["json", '"at":"2026-10-06T00:00:00.5Z"'], ["csv", "2026-10-06T00:00:00.5Z"]] as const) {
        let out = "";
        await writeResult(await runQuery(db, sql), format, (s) => { out += s; });
        expect(out, format).toContain(want);
      }
    } finally {
      db.close();
      tmp.cleanup();
    }
  });
});
