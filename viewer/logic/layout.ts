/**
 * Which list columns fit the terminal, and how wide each is. Columns have a minimum, an ideal and
 * a priority; the narrowest terminals drop the least important first, and spare width goes to the
 * columns that hold names (user, target).
 */

export type ColumnId = "start" | "user" | "target" | "unix" | "program" | "duration" | "exit" | "flags";

export interface ColumnSpec {
  id: ColumnId;
  title: string;
  min: number;
  ideal: number;
  /** Higher stays longer when the terminal is narrow. */
  priority: number;
  /** Takes spare width beyond `ideal`. */
  grow: boolean;
  align: "left" | "right";
}

export const COLUMNS: readonly ColumnSpec[] = [
  { id: "start", title: "STARTED (UTC)", min: 16, ideal: 16, priority: 10, grow: false, align: "left" },
  { id: "user", title: "USER", min: 10, ideal: 24, priority: 8, grow: true, align: "left" },
  { id: "target", title: "TARGET", min: 8, ideal: 18, priority: 7, grow: true, align: "left" },
  { id: "unix", title: "AS", min: 6, ideal: 10, priority: 6, grow: false, align: "left" },
  { id: "program", title: "PROG", min: 5, ideal: 6, priority: 3, grow: false, align: "left" },
  { id: "duration", title: "DUR", min: 6, ideal: 6, priority: 5, grow: false, align: "right" },
  { id: "exit", title: "EXIT", min: 5, ideal: 7, priority: 4, grow: false, align: "right" },
  { id: "flags", title: "FLAGS", min: 5, ideal: 5, priority: 9, grow: false, align: "left" },
];

export interface PlacedColumn extends ColumnSpec { width: number }

/** Space between columns. */
export const GAP = 1;

/**
 * Lays out the list's columns in `width` terminal columns: the result's widths plus gaps never
 * exceed `width`, and the order of columns is kept.
 *
 * @example layoutColumns(80).map((c) => c.id) // ["start", "user", "target", "unix", "program", "duration", "exit", "flags"]
 */
export function layoutColumns(width: number, columns: readonly ColumnSpec[] = COLUMNS): PlacedColumn[] {
  let kept = [...columns];
  const need = (cols: readonly ColumnSpec[]): number => cols.reduce((n, c) => n + c.min, 0) + GAP * Math.max(0, cols.length - 1);
  while (kept.length > 1 && need(kept) > width) {
    const lowest = kept.reduce((lo, c) => (c.priority < lo.priority ? c : lo));
    kept = kept.filter((c) => c !== lowest);
  }
  const placed: PlacedColumn[] = kept.map((c) => ({ ...c, width: c.min }));
  let spare = width - need(kept);
  if (placed.length === 1) {
    placed[0]!.width = Math.max(1, Math.min(width, placed[0]!.width));
    return placed;
  }
  // Names first (user, target share evenly up to their ideal), then the rest up to theirs by
  // priority, then whatever is left to the names again.
  const growers = placed.filter((c) => c.grow);
  const share = (limit: (c: PlacedColumn) => number): void => {
    for (let moved = true; spare > 0 && moved;) {
      moved = false;
      for (const c of growers) {
        if (spare > 0 && c.width < limit(c)) { c.width++; spare--; moved = true; }
      }
    }
  };
  share((c) => c.ideal);
  for (const c of [...placed].sort((a, b) => b.priority - a.priority)) {
    const add = Math.min(spare, c.ideal - c.width);
    if (add > 0) { c.width += add; spare -= add; }
  }
  share(() => Number.POSITIVE_INFINITY);
  return placed;
}

/**
 * Keeps the cursor inside the visible window: returns the new first visible row.
 *
 * @example scrollTop(50, 0, 20, 1000) // 31: row 50 becomes the last visible row
 */
export function scrollTop(cursor: number, top: number, height: number, total: number): number {
  if (height <= 0 || total <= 0) return 0;
  let t = top;
  if (cursor < t) t = cursor;
  if (cursor >= t + height) t = cursor - height + 1;
  return Math.max(0, Math.min(t, Math.max(0, total - height)));
}

/**
 * A cursor move clamped to the list.
 *
 * @example moveCursor(3, -10, 100) // 0
 */
export function moveCursor(cursor: number, delta: number, total: number): number {
  if (total <= 0) return 0;
  return Math.max(0, Math.min(total - 1, cursor + delta));
}

/** How many lines each part of the detail screen gets. */
export interface DetailLayout { fields: number; context: number; commands: number }

/**
 * Shares the detail screen's `height` lines (section titles included) between the metadata, the
 * access context and the commands: commands get at least 3 rows when there are any, then metadata
 * (up to 8), context (up to 6), and the rest goes to commands.
 *
 * @example detailLayout(20, 10, 4, 30) // { fields: 8, context: 4, commands: 6 }
 */
export function detailLayout(height: number, nFields: number, nContext: number, nCommands: number): DetailLayout {
  // Two section titles (context, commands) always show.
  let left = Math.max(0, height - 2);
  const cmdMin = Math.min(3, Math.max(1, nCommands), left);
  left -= cmdMin;
  const fields = Math.min(nFields, 8, left);
  left -= fields;
  const context = Math.min(Math.max(1, nContext), 6, left);
  left -= context;
  const commands = cmdMin + Math.min(left, Math.max(0, nCommands - cmdMin));
  return { fields, context, commands };
}

/** The row fields behind the columns that can be left out when no row has them. */
const OPTIONAL: Partial<Record<ColumnId, (r: ColumnFacts) => unknown>> = {
  user: (r) => r.user, target: (r) => r.target, unix: (r) => r.unixUser, program: (r) => r.program, exit: (r) => r.exit,
};

/** What columnSpecs reads of a row. */
export interface ColumnFacts { user: string | null; target: string | null; unixUser: string | null; program: string | null; exit: string | null }

/**
 * The columns worth showing for these rows: a column none of them fills (recordings read from
 * files know no user, Logpush no exit status) is left out, and a source's own titles replace the
 * defaults.
 *
 * @example columnSpecs([{ user: null, ... }], { target: "FILE" }).map((c) => c.id) // no "user"
 */
export function columnSpecs(
  rows: ReadonlyArray<ColumnFacts | undefined>,
  titles: Partial<Record<ColumnId, string>> = {},
): ColumnSpec[] {
  const loaded = rows.filter((r) => r !== undefined);
  return COLUMNS.filter((c) => {
    const pick = OPTIONAL[c.id];
    return pick === undefined || loaded.length === 0 || loaded.some((r) => pick(r) !== null);
  }).map((c) => (titles[c.id] ? { ...c, title: titles[c.id]! } : c));
}
