import { describe, expect, it } from "vitest";
import { normalizeBound } from "../../../lib/audit/reports.js";

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
