import type { IBufferLine, Terminal } from "@xterm/headless";
import type { SerializeAddon } from "@xterm/addon-serialize";
import { MAX_TERMINAL_SIZE } from "../format/limits.js";
import { loadXterm } from "./load-xterm.js";
import { CsiClamp } from "./clamp-csi.js";
import { VtScanner } from "./vt-scanner.js";

export interface EmulatorOptions {
  cols: number;
  rows: number;
  /** Lines kept above the screen (default 1000). */
  scrollback?: number;
  /** Treat a bare "\n" as "\r\n": for sessions without a PTY, whose output has no terminal to do it. */
  convertEol?: boolean;
}

/** Where the cursor is, in screen and in buffer coordinates. */
export interface CursorPosition {
  x: number;
  /** Row on the screen (0 = top). */
  y: number;
  /** Row in the buffer, counting the scrollback. */
  absY: number;
  /** True while a full-screen program has the alternate screen. */
  alternate: boolean;
}

export { MAX_TERMINAL_SIZE };

const terminalSide = (n: number): number => Math.min(MAX_TERMINAL_SIZE, Math.max(1, n));

// An OSC number no terminal program uses: the emulator slips "ESC ] 7723 ; id BEL" into the stream
// to be called back exactly there, because xterm's write callbacks are slow (a timer each).
const MARK_OSC = 7723;
const HIGH_WATER = 1 << 20;
const CANCEL = Uint8Array.of(0x18);

/**
 * Makes the markers invisible to REP (CSI b, "repeat the preceding character") and to characters
 * that join the one before: xterm's parser forgets the last printed character at the end of every
 * sequence, our marker's included, so "x" | marker | "ESC [ 3 b" printed one x instead of four.
 * The returned function, called from the marker's handler, skips the one reset that ends that
 * marker. It reaches into xterm's parser (its `precedingJoinState`); where that is not found (another
 * xterm version), it does nothing and markers behave as before.
 */
function transparentMarks(term: Terminal): () => void {
  const parser = (term as unknown as { _core?: { _inputHandler?: { _parser?: { precedingJoinState?: unknown } } } })._core?._inputHandler?._parser;
  if (parser === undefined || typeof parser.precedingJoinState !== "number") return () => undefined;
  let state = parser.precedingJoinState;
  let keep = false;
  Object.defineProperty(parser, "precedingJoinState", {
    configurable: true,
    enumerable: true,
    get: () => state,
    set: (v: number) => { if (keep) keep = false; else state = v; },
  });
  return () => { keep = true; };
}

/**
 * @xterm/headless with flow control and synchronous call-backs at chosen points of the stream.
 * `feed` queues bytes without waiting; `at(fn)` runs `fn` when the parser reaches that point, while
 * the buffer shows exactly the bytes before it; `settle()` waits for everything queued.
 *
 * @example
 *   const emu = await Emulator.create({ cols: 80, rows: 24 });
 *   emu.feed(bytes); emu.at(() => console.log(emu.cursor())); await emu.settle();
 */
export class Emulator {
  readonly cols: number;
  readonly rows: number;
  private scanner: VtScanner;
  private readonly nonce = Math.random().toString(36).slice(2, 10);
  private seq = 0;
  private readonly waiting: Array<{ id: string; fn: () => void }> = [];
  private deferred: Array<(exact: boolean, plain: boolean) => void> = [];
  private queued = 0;
  private failure: unknown = null;
  private readonly clamp = new CsiClamp(() => ({ cols: this.term.cols, rows: this.term.rows }));

  private constructor(readonly term: Terminal, private readonly serializer: SerializeAddon, opts: EmulatorOptions) {
    this.cols = opts.cols;
    this.rows = opts.rows;
    this.scanner = new VtScanner(opts.rows);
    const keepJoinState = transparentMarks(term);
    term.parser.registerOscHandler(MARK_OSC, (data) => {
      const head = this.waiting[0];
      if (head === undefined || head.id !== data) return false; // not ours: a recording cannot guess the nonce
      this.waiting.shift();
      try { head.fn(); } catch (err) { this.failure ??= err; }
      keepJoinState();
      return true;
    });
  }

  /**
   * Makes an emulator of the given size (loads the emulator module on first use), each side kept
   * from 1 to MAX_TERMINAL_SIZE: a recording's header may claim any size.
   */
  static async create(opts: EmulatorOptions): Promise<Emulator> {
    const { Terminal, SerializeAddon } = await loadXterm();
    const cols = terminalSide(opts.cols);
    const rows = terminalSide(opts.rows);
    const term = new Terminal({
      cols, rows, scrollback: opts.scrollback ?? 1000,
      allowProposedApi: true, convertEol: opts.convertEol ?? false,
      logLevel: "off", // binary output makes xterm log parse errors to the console: ours to ignore
    });
    const serializer = new SerializeAddon();
    term.loadAddon(serializer);
    return new Emulator(term, serializer, { ...opts, cols, rows });
  }

  /** True when the bytes fed so far end between escape sequences and characters. */
  get atGround(): boolean { return this.scanner.atGround; }

  /** Queues bytes for the emulator. Call `throttle()` now and then to bound memory. */
  feed(data: Uint8Array | string): void {
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    if (bytes.length === 0) return;
    this.scanner.push(bytes);
    this.queued += bytes.length;
    // Hostile repeat counts ("ESC [ 2147483647 S") are capped before xterm loops over them.
    const safe = this.clamp.push(bytes);
    if (safe.length > 0) this.term.write(safe);
    if (this.deferred.length > 0 && this.scanner.atGround) {
      const fns = this.deferred;
      this.deferred = [];
      for (const fn of fns) this.mark(() => fn(false, false));
    }
  }

  /**
   * Runs `fn` when the parser reaches this point of the stream. When the stream is inside an escape
   * sequence or a character here, `fn` runs at the next point between sequences instead, and is
   * told so: `exact` is false. `plain` says the terminal there holds nothing a snapshot cannot
   * carry (see VtScanner.plainState).
   */
  at(fn: (exact: boolean, plain: boolean) => void): void {
    if (this.scanner.atGround && this.deferred.length === 0) {
      const plain = this.scanner.plainState;
      this.mark(() => fn(true, plain));
    } else this.deferred.push(fn);
  }

  private mark(fn: () => void): void {
    const id = `${this.nonce}.${this.seq++}`;
    this.waiting.push({ id, fn });
    this.term.write(`\x1b]${MARK_OSC};${id}\x07`);
  }

  /** Waits until every queued byte has been parsed (and every `at` call-back has run). */
  async settle(): Promise<void> {
    await new Promise<void>((resolve) => this.term.write("", resolve));
    this.queued = 0;
    if (this.failure !== null) { const e = this.failure; this.failure = null; throw e; }
  }

  /** Settles when more than about 1 MB is queued: the flow control that keeps memory bounded. */
  async throttle(): Promise<void> {
    if (this.queued > HIGH_WATER) await this.settle();
  }

  /** Runs what `at` deferred to "the next point between sequences" now, at the end of the stream. */
  flushDeferred(): void {
    const fns = this.deferred;
    this.deferred = [];
    for (const fn of fns) this.mark(() => fn(false, false));
  }

  /** The cursor now (meaningful inside an `at` call-back or after `settle`). */
  cursor(): CursorPosition {
    const b = this.term.buffer.active;
    return { x: b.cursorX, y: b.cursorY, absY: b.baseY + b.cursorY, alternate: b.type === "alternate" };
  }

  /** True while the alternate screen is shown. */
  get alternate(): boolean { return this.term.buffer.active.type === "alternate"; }

  /** One buffer row of the active buffer as text (right-trimmed), from column `from`. */
  rowText(absY: number, from = 0): string {
    return this.term.buffer.active.getLine(absY)?.translateToString(true, from) ?? "";
  }

  /**
   * The logical line holding buffer row `absY`: the rows joined where the terminal wrapped them
   * (soft wraps), with the first row of the line and the text before column `x` of row `absY`.
   */
  logicalLine(absY: number, x = 0): { firstY: number; lastY: number; text: string; before: string } {
    const b = this.term.buffer.active;
    let first = absY;
    while (first > 0 && b.getLine(first)?.isWrapped) first--;
    let last = absY;
    while (last + 1 < b.length && b.getLine(last + 1)?.isWrapped) last++;
    let text = "";
    let before = "";
    for (let y = first; y <= last; y++) {
      const line = b.getLine(y);
      if (!line) break;
      // Wrapped rows are full: keep their trailing blanks, they are part of the line.
      text += line.translateToString(y === last, 0);
      if (y < absY) before += line.translateToString(false, 0);
      else if (y === absY) before += line.translateToString(false, 0, Math.min(x, this.cols));
    }
    return { firstY: first, lastY: last, text, before };
  }

  /** The rows of the screen now, as text (right-trimmed). */
  screenLines(): string[] {
    const b = this.term.buffer.active;
    const out: string[] = [];
    for (let y = 0; y < this.rows; y++) out.push(b.getLine(b.baseY + y)?.translateToString(true) ?? "");
    return out;
  }

  /** A buffer row with its cells, for renderers. */
  line(absY: number): IBufferLine | undefined {
    return this.term.buffer.active.getLine(absY);
  }

  /**
   * The state as a byte stream that rebuilds it in a fresh emulator of the same size: screen,
   * alternate screen, cursor, colours and modes, with `scrollback` lines above the screen (all by default).
   */
  snapshot(scrollback?: number): string {
    return this.serializer.serialize(scrollback === undefined ? undefined : { scrollback });
  }

  /** Back to a blank screen and default modes, with nothing half-parsed left over. */
  async reset(): Promise<void> {
    // xterm's reset() keeps a half-received UTF-8 character; a CAN byte flushes it (and ends any sequence).
    this.term.write(CANCEL);
    await this.settle();
    this.term.reset();
    this.term.clear();
    this.scanner = new VtScanner(this.rows);
  }

  /**
   * The logical lines of the normal buffer from the top of the scrollback, wrapped rows joined,
   * right-trimmed; trailing blank lines dropped.
   */
  normalLines(limit = Infinity): string[] {
    const b = this.term.buffer.normal;
    const out: string[] = [];
    for (let y = 0; y < b.length && out.length < limit; y++) {
      const line = b.getLine(y);
      if (!line) break;
      const text = line.translateToString(true).trimEnd();
      if (line.isWrapped && out.length > 0) out[out.length - 1] = out[out.length - 1]!.padEnd(this.cols) + text;
      else out.push(text);
    }
    while (out.length > 0 && out[out.length - 1] === "") out.pop();
    return out;
  }

  /**
   * Everything visible about the state, as one string: both screens' cells (characters, widths,
   * colours, attributes), the cursor, which screen is shown and the modes. Two emulators with the
   * same fingerprint look and behave the same for what follows.
   */
  fingerprint(): string {
    const t = this.term;
    const parts: string[] = [t.buffer.active.type, String(t.buffer.active.cursorX), String(t.buffer.active.cursorY), JSON.stringify(t.modes)];
    for (const buf of [t.buffer.normal, t.buffer.alternate]) {
      const cell = buf.getNullCell();
      for (let y = 0; y < this.rows; y++) {
        const line = buf.getLine(buf.baseY + y);
        if (!line) { parts.push("-"); continue; }
        let row = line.isWrapped ? "w" : "";
        for (let x = 0; x < this.cols; x++) {
          line.getCell(x, cell);
          row += `${cell.getChars()}\u0000${cell.getWidth()},${cell.getFgColorMode()},${cell.getFgColor()},${cell.getBgColorMode()},${cell.getBgColor()},${cell.isBold()}${cell.isItalic()}${cell.isDim()}${cell.isUnderline()}${cell.isBlink()}${cell.isInverse()}${cell.isInvisible()}${cell.isStrikethrough()}${cell.isOverline()};`;
        }
        parts.push(row);
      }
    }
    return parts.join("\n");
  }

  /** Frees the emulator. */
  dispose(): void {
    this.term.dispose();
  }
}
