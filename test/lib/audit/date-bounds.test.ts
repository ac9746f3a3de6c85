import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { normalizeBound, runReport } from "../../../lib/audit/reports.js";
import { type AuditDb, openAuditDb } from "../../../lib/audit/open-db.js";
import { tempDir } from "../../helpers/fixtures.js";

describe("--since/--until: a day its month does not have", () => {
  it("is refused as not a date (ERR_USAGE), not shifted into the next month or left to DuckDB", () => {
    for (const [v, which] of [["2026-02-30", "until"], ["2025-02-29", "since"], ["2026-04-31", "since"], ["2026-04-31T10:00:00Z", "until"], ["2026-06-31 08:00", "since"]] as const) {
      expect(() => normalizeBound(v, which), v).toThrow(expect.objectContaining({ code: "ERR_USAGE", message: `--${which} ${v} is not a date; give YYYY-MM-DD or an ISO date-time such as 2026-10-01T18:00:00Z.` }));
    }
  });

  it("real days still read as before: a leap day, a month's last day, a date-only until moving to the next midnight", () => {
    expect(normalizeBound("2024-02-29", "since")).toBe("2024-02-29");
    expect(normalizeBound("2026-02-28", "until")).toBe("2026-03-01");
    expect(normalizeBound("2026-12-31", "until")).toBe("2027-01-01");
    expect(normalizeBound("2026-04-30T23:59:59Z", "until")).toBe("2026-04-30T23:59:59Z");
  });
});

describe("--since/--until: a time without seconds followed by a zone", () => {
  it("runs the report (DuckDB refused 10:00+05:30 and 10:00Z with its own message) and means the same instant", async () => {
    expect(normalizeBound("2026-10-06T05:30+05:30", "since")).toBe("2026-10-06T05:30:00+05:30");
    expect(normalizeBound("2026-10-06T05:30Z", "until")).toBe("2026-10-06T05:30:00Z");
    expect(normalizeBound("2026-10-06 05:30", "until")).toBe("2026-10-06 05:30:00");
    expect(normalizeBound("2026-10-06T05:30:15.5-04:00", "since")).toBe("2026-10-06T05:30:15.5-04:00");
    const tmp = tempDir();
    const db = await openAuditDb(join(tmp.dir, "bounds.duckdb"), { write: true });
    try {
      await db.run(`INSERT INTO access_requests (RayID, Email, Allowed, CreatedAt, AppDomain) VALUES
        ('r1', 'a@example.com', false, '2026-10-05 23:59:59+00', 'app.example.com'),
        ('r2', 'a@example.com', false, '2026-10-06 00:00:00+00', 'app.example.com')`);
      const rows = await queryReport(db, "denied-access", { since: "2026-10-06T05:30+05:30", until: "2026-10-06T00:01Z" });
      expect(rows.map((r) => Number(r.denials))).toEqual([1]);
    } finally {
      db.close();
      tmp.cleanup();
    }
  });
});

async function queryReport(db: AuditDb, name: string, p: Parameters<typeof runReport>[2]): Promise<Array<Record<string, unknown>>> {
  const rs = await runReport(db, name, p);
  const out: Array<Record<string, unknown>> = [];
  for await (const chunk of rs.rows) for (const r of chunk) out.push(Object.fromEntries(rs.columns.map((c, i) => [c, r[i]])));
  return out;
}
