/**
 * Prints query results as a table that fits the terminal, CSV (RFC 4180), one JSON array of row
 * objects, or NDJSON. Values arrive in DuckDB's JSON-safe form (64-bit integers and times as
 * text) with their column types; JSON output turns integers back into numbers where that is exact
 * and times into ISO 8601 strings.
 *
 * @example
 *   await writeResult(result, "table", (s) => process.stdout.write(s), { width: 100 });
 */

import { cutToWidth, displayWidth, showControls } from "../text.js";

export { displayWidth };

/** One result: column names, DuckDB type names, and rows of cells in DuckDB's JSON-safe form. */
export interface ResultSet {
  columns: string[];
  types: string[];
  rows: AsyncIterable<unknown[][]>;
}

export const FORMATS = ["table", "csv", "json", "ndjson"] as const;
export type OutputFormat = (typeof FORMATS)[number];

const INTEGER = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/;
const NUMERIC = /^(DECIMAL|FLOAT|DOUBLE)/;

/** A time as DuckDB prints it in UTC ("2026-10-01 10:00:00.5+00") as ISO 8601 ("2026-10-01T10:00:00.5Z"). */
export function isoTime(s: string, type: string): string {
  if (type === "TIMESTAMP WITH TIME ZONE") return s.replace(" ", "T").replace(/\+00(?::00)?$/, "Z").replace(/([+-]\d\d)$/, "$1:00");
  if (type.startsWith("TIMESTAMP")) return s.replace(" ", "T");
  return s;
}

/** A cell as it goes into JSON: exact numbers as numbers, times as ISO strings, the rest unchanged. */
export function jsonCell(v: unknown, type: string): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") {
    if (INTEGER.test(type)) {
      const n = Number(v);
      return Number.isSafeInteger(n) ? n : v;
    }
    if (NUMERIC.test(type)) {
      const n = Number(v);
      return Number.isFinite(n) ? n : v;
    }
    if (type.startsWith("TIMESTAMP")) return isoTime(v, type);
  }
  return v;
}

/** A cell as text for a table or CSV. */
export function textCell(v: unknown, type: string, iso: boolean): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return iso && type.startsWith("TIMESTAMP") ? isoTime(v, type) : v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

/**
 * A cell as a table shows it on a terminal: newlines as ⏎, tabs as a space, and any other
 * control character as a visible mark (showControls), so no escape sequence stored in the
 * evidence reaches the terminal; csv and json keep the bytes.
 *
 * @example tableCell("host\u001b[2J") // "host␛[2J"
 */
export function tableCell(s: string): string {
  return showControls(s.replace(/\r?\n/g, "⏎").replace(/\t/g, " "));
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * Column widths that fit `total` cells: natural widths when they fit, else the widest columns
 * are narrowed first, none below `min` (or its natural width when smaller).
 *
 * @example fitWidths([30, 5, 50], 40, 3)  // [16, 5, 16] (two separators of 3 cells)
 */
export function fitWidths(natural: number[], total: number, sep: number, min = 6): number[] {
  const w = [...natural];
  const budget = total - sep * Math.max(0, w.length - 1);
  let sum = w.reduce((a, b) => a + b, 0);
  while (sum > budget) {
    let widest = -1;
    for (let i = 0; i < w.length; i++) if (w[i]! > Math.min(min, natural[i]!) && (widest < 0 || w[i]! > w[widest]!)) widest = i;
    if (widest < 0) break;
    w[widest]!--;
    sum--;
  }
  return w;
}

/** Rows a table shows at most; more is a job for --format csv or a LIMIT. */
export const TABLE_ROW_LIMIT = 10_000;

export interface WriteOptions {
  /** Terminal width for tables (default 100). */
  width?: number;
  /** Called with a note for stderr (e.g. rows left out of a table). */
  note?: (line: string) => void;
}

/**
 * Writes a result in `format` through `write`, streaming except for tables (which need every
 * width first, and show at most TABLE_ROW_LIMIT rows). Returns the number of rows.
 *
 * @example const n = await writeResult(rs, "json", (s) => out.write(s));
 */
export async function writeResult(rs: ResultSet, format: OutputFormat, write: (s: string) => void, opts: WriteOptions = {}): Promise<number> {
  const { columns, types } = rs;
  let count = 0;
  if (format === "csv") {
    write(`${columns.map(csvField).join(",")}\r\n`);
    for await (const chunk of rs.rows) {
      let buf = "";
      for (const r of chunk) buf += `${r.map((v, i) => csvField(textCell(v, types[i]!, true))).join(",")}\r\n`;
      write(buf);
      count += chunk.length;
    }
    return count;
  }
  if (format === "json" || format === "ndjson") {
    const obj = (r: unknown[]): string => JSON.stringify(Object.fromEntries(columns.map((c, i) => [c, jsonCell(r[i], types[i]!)])));
    if (format === "json") write("[");
    for await (const chunk of rs.rows) {
      let buf = "";
      for (const r of chunk) {
        buf += format === "json" ? `${count === 0 ? "\n" : ",\n"}${obj(r)}` : `${obj(r)}\n`;
        count++;
      }
      write(buf);
    }
    if (format === "json") write(count === 0 ? "]\n" : "\n]\n");
    return count;
  }
  // table
  const cells: string[][] = [];
  let more = 0;
  for await (const chunk of rs.rows) {
    for (const r of chunk) {
      if (cells.length >= TABLE_ROW_LIMIT) { more++; continue; }
      cells.push(r.map((v, i) => tableCell(textCell(v, types[i]!, false))));
    }
  }
  count = cells.length + more;
  const right = types.map((t) => INTEGER.test(t) || NUMERIC.test(t));
  const natural = columns.map((c, i) => Math.max(displayWidth(tableCell(c)), ...cells.map((r) => displayWidth(r[i]!))));
  const total = opts.width ?? 100;
  // When even narrowed columns do not fit, the last ones are left out (and named in the note).
  let shown = columns.length;
  let widths = fitWidths(natural, total, 2);
  while (shown > 1 && widths.reduce((a, b) => a + b, 0) + 2 * (shown - 1) > total) {
    shown--;
    widths = fitWidths(natural.slice(0, shown), total, 2);
  }
  const hidden = columns.slice(shown);
  if (hidden.length > 0) for (const r of cells) r.length = shown;
  const pad = (s: string, i: number): string => {
    const f = cutToWidth(s, widths[i]!);
    const gap = " ".repeat(Math.max(0, widths[i]! - f.width));
    return right[i] ? gap + f.text : f.text + gap;
  };
  const line = (r: string[]): string => r.map(pad).join("  ").replace(/\s+$/, "");
  write(`${line(columns.slice(0, shown).map(tableCell))}\n`);
  write(`${widths.map((w) => "─".repeat(w)).join("  ")}\n`);
  let buf = "";
  for (const r of cells) buf += `${line(r)}\n`;
  write(buf);
  opts.note?.(`${count} row${count === 1 ? "" : "s"}${more > 0 ? ` (the first ${TABLE_ROW_LIMIT} shown; use --format csv or a LIMIT for the rest)` : ""}.${hidden.length > 0 ? ` Not shown for want of width: ${hidden.join(", ")} (select fewer columns, widen the terminal, or use --format csv).` : ""}`);
  return count;
}
