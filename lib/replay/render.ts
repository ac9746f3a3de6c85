import type { IBufferCell, IBufferLine } from "@xterm/headless";
import type { Emulator } from "../terminal/emulator.js";
import { showControls } from "../text.js";
import { formatTime } from "./timeline.js";

/**
 * The SGR parameters for a cell's colours and attributes ("" for the defaults).
 *
 * @example sgrOf(boldRedCell) === "1;31"
 */
export function sgrOf(cell: IBufferCell): string {
  const p: string[] = [];
  if (cell.isBold()) p.push("1");
  if (cell.isDim()) p.push("2");
  if (cell.isItalic()) p.push("3");
  if (cell.isUnderline()) p.push("4");
  if (cell.isBlink()) p.push("5");
  if (cell.isInverse()) p.push("7");
  if (cell.isInvisible()) p.push("8");
  if (cell.isStrikethrough()) p.push("9");
  if (cell.isOverline()) p.push("53");
  const color = (isRgb: boolean, isPalette: boolean, v: number, base: number): void => {
    if (isRgb) p.push(`${base + 8};2;${(v >> 16) & 255};${(v >> 8) & 255};${v & 255}`);
    else if (isPalette) {
      if (v < 8) p.push(String(base + v));
      else if (v < 16) p.push(String(base + 60 + v - 8));
      else p.push(`${base + 8};5;${v}`);
    }
  };
  color(cell.isFgRGB(), cell.isFgPalette(), cell.getFgColor(), 30);
  color(cell.isBgRGB(), cell.isBgPalette(), cell.getBgColor(), 40);
  return p.join(";");
}

/**
 * One screen row as terminal output: the cells from column `left`, `width` wide, with their
 * colours; the cell at `cursorX` drawn in reverse video (the recorded cursor). Ends with the
 * attributes reset and the rest of the line cleared.
 *
 * @example out.write(renderRow(buf.getLine(0), buf.getNullCell(), 0, 80, -1));
 */
export function renderRow(line: IBufferLine | undefined, cell: IBufferCell, left: number, width: number, cursorX: number): string {
  let out = "";
  let current = "";
  let x = 0;
  for (let col = left; col < left + width && line; col++, x++) {
    line.getCell(col, cell);
    const w = cell.getWidth();
    if (w === 0) continue; // the second half of a wide character, drawn with the first
    let chars = cell.getChars() || " ";
    if (w === 2 && x === width - 1) chars = " "; // a wide character cut by the right edge
    let sgr = sgrOf(cell);
    if (col === cursorX) sgr = sgr === "" ? "7" : `${sgr};7`;
    if (sgr !== current) { out += `\x1b[0${sgr === "" ? "" : `;${sgr}`}m`; current = sgr; }
    out += chars;
    if (w === 2) { x++; col++; }
  }
  return `${out}\x1b[0m\x1b[K`;
}

/** What the status line says. */
export interface StatusInfo {
  position: number;
  duration: number;
  speed: number;
  paused: boolean;
  ended: boolean;
  command: string | null;
  /** A warning shown first (the terminal is too small, ...). */
  warning: string | null;
  width: number;
}

/**
 * The status line: state, time, speed, current command and the keys, fitted to `width`.
 *
 * @example statusLine({ position: 9e7, duration: 3e8, speed: 2, paused: false, ended: false, command: "ls", warning: null, width: 80 })
 */
export function statusLine(s: StatusInfo): string {
  const state = s.ended ? "■ end" : s.paused ? "❚❚" : "▶";
  const speed = s.speed === 1 ? "1x" : `${s.speed}x`;
  const head = `${state} ${formatTime(s.position)} / ${formatTime(s.duration)}  ${speed}`;
  const cmd = s.command ? `  $ ${showControls(s.command)}` : "";
  const keys = "  │ space pause  ←→ 5s  [ ] command  +- speed  . step  q quit";
  const warn = s.warning ? `${s.warning}  ` : "";
  let text = `${warn}${head}${cmd}`;
  if ([...text].length + [...keys].length <= s.width) text += keys;
  const chars = [...text];
  return chars.length > s.width ? `${chars.slice(0, Math.max(0, s.width - 1)).join("")}…` : text;
}

/**
 * Draws the recorded screen and a status line into the viewer's terminal, redrawing only the rows
 * that changed. A recording larger than the terminal is cropped around the cursor.
 *
 * @example const p = new ScreenPainter((s) => process.stdout.write(s)); p.paint(player.emu, 80, 24, status);
 */
export class ScreenPainter {
  private last: string[] = [];
  private lastSize = "";

  constructor(private readonly write: (s: string) => void) {}

  /** Forgets what is on the screen, so that the next paint redraws everything (after a resize). */
  invalidate(): void { this.last = []; }

  /** Paints one frame for a terminal of `cols` x `rows`. */
  paint(emu: Emulator, cols: number, rows: number, status: string): void {
    const size = `${cols}x${rows}`;
    if (size !== this.lastSize) { this.last = []; this.lastSize = size; this.write("\x1b[0m\x1b[2J"); }
    const viewRows = Math.max(1, rows - 1);
    const viewCols = Math.max(1, cols);
    const buf = emu.term.buffer.active;
    const cur = emu.cursor();
    const top = Math.max(0, Math.min(emu.rows - viewRows, cur.y - viewRows + 1));
    const left = Math.max(0, Math.min(emu.cols - viewCols, cur.x - viewCols + 1));
    const cell = buf.getNullCell();
    const frame: string[] = [];
    for (let y = 0; y < viewRows; y++) {
      const sy = top + y;
      frame.push(sy < emu.rows ? renderRow(buf.getLine(buf.baseY + sy), cell, left, Math.min(viewCols, emu.cols - left), sy === cur.y ? cur.x : -1) : "\x1b[0m\x1b[K");
    }
    frame.push(`\x1b[0;7m${status}\x1b[K\x1b[0m`);
    let out = "";
    for (let y = 0; y < frame.length; y++) {
      if (this.last[y] === frame[y]) continue;
      out += `\x1b[${y === frame.length - 1 ? rows : y + 1};1H${frame[y]}`;
    }
    this.last = frame;
    if (out !== "") this.write(out);
  }
}
