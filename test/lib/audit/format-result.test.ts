import { describe, expect, it } from "vitest";
import { displayWidth, fitWidths, isoTime, jsonCell, type ResultSet, writeResult } from "../../../lib/audit/format-result.js";

function rs(columns: string[], types: string[], rows: unknown[][]): ResultSet {
  return { columns, types, rows: (async function* () { yield rows; })() };
}

async function render(r: () => ResultSet, format: "table" | "csv" | "json" | "ndjson", width?: number): Promise<string> {
  let out = "";
  await writeResult(r(), format, (s) => { out += s; }, width === undefined ? {} : { width });
  return out;
}

const sample = (): ResultSet => rs(
  ["user", "n", "big", "at", "note"],
  ["VARCHAR", "BIGINT", "HUGEINT", "TIMESTAMP WITH TIME ZONE", "VARCHAR"],
  [
    ["alice@example.com", "3", "170141183460469231731687303715884105727", "2026-10-01 10:00:00.5+00", "has, a \"comma\"\nand a newline"],
    ["bob@example.com", "12", "1", "2026-10-02 00:00:00+00", null],
  ],
);

describe("result formatting", () => {
  it("json: one array of row objects, safe integers as numbers, others as text, times in ISO 8601", async () => {
    const v = JSON.parse(await render(sample, "json"));
    expect(v).toEqual([
      { user: "alice@example.com", n: 3, big: "170141183460469231731687303715884105727", at: "2026-10-01T10:00:00.5Z", note: "has, a \"comma\"\nand a newline" },
      { user: "bob@example.com", n: 12, big: 1, at: "2026-10-02T00:00:00Z", note: null },
    ]);
    expect(JSON.parse(await render(() => rs(["a"], ["INTEGER"], []), "json"))).toEqual([]);
  });

  it("ndjson: one object per line", async () => {
    const lines = (await render(sample, "ndjson")).trimEnd().split("\n");
    expect(lines.map((l) => JSON.parse(l).n)).toEqual([3, 12]);
  });

  it("csv: RFC 4180 quoting, CRLF rows, ISO times", async () => {
    const out = await render(sample, "csv");
    expect(out.split("\r\n")[0]).toBe("user,n,big,at,note");
    expect(out).toContain('alice@example.com,3,170141183460469231731687303715884105727,2026-10-01T10:00:00.5Z,"has, a ""comma""\nand a newline"\r\n');
    expect(out).toContain("bob@example.com,12,1,2026-10-02T00:00:00Z,\r\n");
  });

  it("table: fits the width, numbers right-aligned, long cells cut with an ellipsis", async () => {
    for (const width of [40, 80, 200]) {
      const out = await render(sample, "table", width);
      for (const line of out.trimEnd().split("\n")) expect(displayWidth(line), `${width}: ${line}`).toBeLessThanOrEqual(width);
    }
    const narrow = await render(sample, "table", 60);
    expect(narrow).toContain("…");
    const wide = (await render(sample, "table", 300)).split("\n");
    expect(wide[2]).toContain("alice@example.com");
    expect(wide[3]).toMatch(/bob@example\.com\s+12\s/);
  });

  it("fitWidths narrows the widest columns first and keeps narrow ones", () => {
    expect(fitWidths([30, 5, 50], 40, 2)).toEqual([15, 5, 16]);
    expect(fitWidths([3, 4], 80, 2)).toEqual([3, 4]);
  });

  it("time and cell conversions", () => {
    expect(isoTime("2026-10-01 10:00:00+00", "TIMESTAMP WITH TIME ZONE")).toBe("2026-10-01T10:00:00Z");
    expect(isoTime("2026-10-01 10:00:00", "TIMESTAMP")).toBe("2026-10-01T10:00:00");
    expect(jsonCell("9007199254740993", "BIGINT")).toBe("9007199254740993");
    expect(jsonCell("9007199254740991", "BIGINT")).toBe(9007199254740991);
    expect(jsonCell("12.50", "DECIMAL(10,2)")).toBe(12.5);
    expect(displayWidth("日本")).toBe(4);
  });
});

describe("table output of hostile text", () => {
  it("shows escape sequences and other control characters as visible marks, never raw; csv keeps them", async () => {
    const hostile = (): ResultSet => rs(
      ["target", "col\u001b[2J"],
      ["VARCHAR", "VARCHAR"],
      [["host\u001b]0;pwned\u0007", "a\u009b31mb\u007f\rc"]],
    );
    const out = await render(hostile, "table", 80);
    // eslint-disable-next-line no-control-regex
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(out).toContain("host␛]0;pwned␇");
    expect(out).toContain("a�31mb␡␍c");
    expect(out.split("\n")[0]).toContain("col␛[2J");
    expect(await render(hostile, "csv")).toContain("host\u001b]0;pwned\u0007");
  });
});
