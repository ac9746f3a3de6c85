/**
 * The recorded terminal's colours and attributes, read from the emulator's cells and grouped into
 * runs of one style, so the replay pane shows the session as it looked, not only its text.
 */
import { charWidth } from "./format.js";

/** One stretch of a screen row in one style. Colours are Ink colour strings ("ansi256(1)", "#ff0000"). */
export interface Run {
  text: string;
  /** Terminal columns the text takes (wide characters take two). */
  width: number;
  fg?: string;
  bg?: string;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
  inverse?: boolean;
}

/** The part of xterm's IBufferCell this module reads. */
export interface CellLike {
  getChars(): string;
  getWidth(): number;
  getFgColor(): number;
  getBgColor(): number;
  isFgRGB(): boolean;
  isBgRGB(): boolean;
  isFgPalette(): boolean;
  isBgPalette(): boolean;
  isBold(): number;
  isDim(): number;
  isItalic(): number;
  isUnderline(): number;
  isInverse(): number;
  isInvisible(): number;
}

/** The part of xterm's IBufferLine this module reads. */
export interface LineLike {
  readonly length: number;
  getCell(x: number, cell?: CellLike): CellLike | undefined;
}

const hex = (n: number): string => `#${n.toString(16).padStart(6, "0")}`;

function colour(rgb: boolean, palette: boolean, value: number): string | undefined {
  if (rgb) return hex(value);
  if (palette) return `ansi256(${value})`;
  return undefined;
}

/**
 * A row's runs over its first `cols` columns: cells of the same style joined, blank cells as
 * spaces, trailing unstyled blanks dropped.
 *
 * @example runsOfLine(term.buffer.active.getLine(0)!, 80) // [{ text: "red", width: 3, fg: "ansi256(1)" }, ...]
 */
export function runsOfLine(line: LineLike, cols: number): Run[] {
  const runs: Run[] = [];
  let cell: CellLike | undefined;
  let key = "";
  for (let x = 0; x < Math.min(cols, line.length); x++) {
    cell = line.getCell(x, cell);
    if (!cell) break;
    const w = cell.getWidth();
    if (w === 0) continue; // the second half of a wide character
    const hidden = cell.isInvisible() !== 0;
    const chars = hidden ? " ".repeat(w) : cell.getChars() || " ";
    const style: Omit<Run, "text" | "width"> = {};
    const fg = colour(cell.isFgRGB(), cell.isFgPalette(), cell.getFgColor());
    const bg = colour(cell.isBgRGB(), cell.isBgPalette(), cell.getBgColor());
    if (fg) style.fg = fg;
    if (bg) style.bg = bg;
    if (cell.isBold()) style.bold = true;
    if (cell.isDim()) style.dim = true;
    if (cell.isItalic()) style.italic = true;
    if (cell.isUnderline()) style.underline = true;
    if (cell.isInverse()) style.inverse = true;
    const k = JSON.stringify(style);
    const last = runs[runs.length - 1];
    if (last && k === key) {
      last.text += chars;
      last.width += w;
    } else {
      runs.push({ text: chars, width: w, ...style });
      key = k;
    }
  }
  // Trailing blanks with no background or inverse show nothing: leave them out.
  const last = runs[runs.length - 1];
  if (last && !last.bg && !last.inverse && !last.underline) {
    const trimmed = last.text.replace(/ +$/, "");
    last.width -= last.text.length - trimmed.length;
    last.text = trimmed;
    if (last.text === "") runs.pop();
  }
  return runs;
}

/**
 * Runs cut to the first `width` columns (a wide character that would straddle the edge is left out).
 *
 * @example cropRuns([{ text: "hello", width: 5 }], 3) // [{ text: "hel", width: 3 }]
 */
export function cropRuns(runs: readonly Run[], width: number): Run[] {
  const out: Run[] = [];
  let used = 0;
  for (const r of runs) {
    if (used >= width) break;
    if (used + r.width <= width) {
      out.push(r);
      used += r.width;
      continue;
    }
    // Cut inside this run, character by character (wide characters count two).
    let text = "";
    let w = 0;
    for (const ch of r.text) {
      const cw = isWide(ch) ? 2 : 1;
      if (used + w + cw > width) break;
      text += ch;
      w += cw;
    }
    if (text !== "") out.push({ ...r, text, width: w });
    used += w;
    break;
  }
  return out;
}

/** A character that takes two columns (the same table the list's columns use). */
function isWide(ch: string): boolean {
  return charWidth(ch) === 2;
}

/**
 * The runs with the cell at column `x` shown as the cursor (inverse), padding with blanks when
 * the cursor sits past the row's last character.
 *
 * @example withCursor([{ text: "ls", width: 2 }], 2) // [{ text: "ls", width: 2 }, { text: " ", width: 1, inverse: true }]
 */
export function withCursor(runs: readonly Run[], x: number): Run[] {
  const out: Run[] = [];
  let col = 0;
  let placed = false;
  for (const r of runs) {
    if (placed || x < col || x >= col + r.width) {
      out.push(r);
      col += r.width;
      continue;
    }
    // Split this run around the cursor's character.
    let before = "";
    let at = "";
    let after = "";
    let c = col;
    for (const ch of r.text) {
      const w = isWide(ch) ? 2 : 1;
      if (at === "" && c + w > x) at = ch;
      else if (at === "") before += ch;
      else after += ch;
      c += w;
    }
    const wOf = (t: string): number => Array.from(t).reduce((n, ch) => n + (isWide(ch) ? 2 : 1), 0);
    if (before) out.push({ ...r, text: before, width: wOf(before) });
    out.push({ ...r, text: at, width: wOf(at), inverse: !r.inverse });
    if (after) out.push({ ...r, text: after, width: wOf(after) });
    col += r.width;
    placed = true;
  }
  if (!placed) {
    if (x > col) out.push({ text: " ".repeat(x - col), width: x - col });
    out.push({ text: " ", width: 1, inverse: true });
  }
  return out;
}
