import type { IMarker } from "@xterm/headless";
import { Source, type SessionEvent } from "../session/model.js";
import { Emulator } from "./emulator.js";
import { echoedCount, isLineEnd, printableOf, typedText } from "./keystrokes.js";
import { isSecretPrompt, isShellPrompt, maskBytes, maskText } from "./secrets.js";

/** A command typed at a shell prompt, known when Enter was pressed. */
export interface CommandMark {
  /** 0, 1, 2... in the order typed. */
  id: number;
  /** When Enter was pressed, microseconds since the session started. */
  atMicros: number;
  /** The line as submitted (read from the screen at Enter), without the prompt. */
  text: string;
  /** The prompt it was typed after, as shown. */
  prompt: string;
  /** True when the text was typed with echo off or after a secret prompt, and is shown as "*". */
  masked: boolean;
}

/** What a command printed, known when the next prompt was typed at (or the session ended). */
export interface CommandOutput {
  id: number;
  /** When the next shell line was begun, or the last event's time. */
  endMicros: number;
  /** Bytes the server sent between the command's line and the next prompt's line. */
  outputBytes: number;
  /** The first of those bytes (at most 64 KiB), for rendering the first lines. */
  head: Uint8Array;
}

/** One step of an analysed session, in stream order. */
export type AnalyzedItem =
  | { type: "event"; index: number; event: SessionEvent; masked: boolean }
  | { type: "command"; mark: CommandMark }
  | { type: "output"; output: CommandOutput };

export interface AnalyzeOptions {
  cols: number;
  rows: number;
  /** Analyse typed lines (masking, commands): true for sessions with a PTY. */
  pty: boolean;
  /**
   * Called after each event has been applied to the emulator. `snapshotSafe` is true when the
   * emulator shows exactly the events up to this one and holds no state a snapshot cannot carry
   * (false when the event ended inside an escape sequence, with colours set for the next
   * character, a partial scroll region, a pending line wrap...). The player takes its snapshots here.
   */
  onApplied?: (index: number, event: SessionEvent, emu: Emulator, snapshotSafe: boolean) => void;
  /** Output events in a row handled together (default 64, at most 64): fewer call-backs, coarser snapshot points. */
  outputRun?: number;
}

const HEAD_BYTES = 64 * 1024;
const SHOWN_BYTES = 16 * 1024;
const TYPED_BYTES = 4096;
const MAX_HELD = 20_000;
const SETTLE_EVERY = 512;
const RUN_BYTES = 16 * 1024;

interface Line {
  startMicros: number;
  prompt: string;
  shell: boolean;
  decided: boolean;
  masked: boolean;
  enterSeen: boolean;
  typed: Buffer[];
  typedBytes: number;
  shown: Buffer[];
  shownBytes: number;
  startVersion: number;
  marker: IMarker | undefined;
  /** The command's text once known; undefined while it waits for the echo of a pasted line. */
  command: string | undefined;
  commandPending: boolean;
}

interface Held {
  item: AnalyzedItem;
  lines: Line[];
  /** For input events: byte ranges belonging to lines (terminators excluded), to mask when decided. */
  ranges?: Array<{ start: number; end: number; line: Line }>;
}

interface Window {
  id: number;
  total: number;
  head: Buffer[];
  headBytes: number;
  firstNl: number;
  lastNl: number;
}

/**
 * Runs a session's events through the terminal emulator and yields them back in order, with typed
 * secrets masked, a `command` item where each shell command was submitted, and an `output` item
 * when its output ends. Passwords are recognised by the prompt before them (sudo's
 * "[sudo] password for ops: ", "Password:", passphrases, PINs) or, failing that, because the server
 * did not echo what was typed. Memory stays bounded: events wait only until their line is decided.
 *
 * @example
 *   for await (const item of analyzeEvents(session.events(), { cols: 80, rows: 24, pty: true })) {
 *     if (item.type === "command") console.log(item.mark.text);
 *   }
 */
export async function* analyzeEvents(events: AsyncIterable<SessionEvent>, opts: AnalyzeOptions): AsyncIterable<AnalyzedItem> {
  const a = new Analyzer(await Emulator.create({ cols: opts.cols, rows: opts.rows, scrollback: 1000, convertEol: !opts.pty }), opts);
  try {
    let index = 0;
    let sinceSettle = 0;
    for await (const ev of events) {
      a.push(index++, ev);
      if (++sinceSettle >= SETTLE_EVERY || a.readyCount > 256) {
        sinceSettle = 0;
        a.flushRun();
        await a.emu.settle();
        yield* a.takeReady();
      } else {
        await a.emu.throttle();
      }
    }
    a.flushRun();
    a.emu.flushDeferred();
    await a.emu.settle();
    a.finish();
    yield* a.takeReady();
  } finally {
    a.emu.dispose();
  }
}

class Analyzer {
  private held: Held[] = [];
  private ready: AnalyzedItem[] = [];
  private line: Line | null = null;
  private undecided: Line[] = [];
  private pendingRead: Line | null = null;
  private window: Window | null = null;
  private outputVersion = 0;
  private lastEndVersion = -1;
  private nextId = 0;
  private lastMicros = 0;
  private collect: Held[] | null = null;
  private run: Array<{ index: number; ev: SessionEvent }> = [];
  private runBytes = 0;
  private readonly runLimit: number;

  constructor(readonly emu: Emulator, private readonly opts: AnalyzeOptions) {
    this.runLimit = Math.max(1, Math.min(64, opts.outputRun ?? 64));
  }

  get readyCount(): number { return this.ready.length; }

  *takeReady(): Iterable<AnalyzedItem> {
    const out = this.ready;
    this.ready = [];
    yield* out;
  }

  push(index: number, ev: SessionEvent): void {
    if (ev.source === Source.Server) {
      this.emu.feed(ev.data);
      this.run.push({ index, ev });
      this.runBytes += ev.data.length;
      if (this.run.length >= this.runLimit || this.runBytes >= RUN_BYTES) this.flushRun();
    } else {
      this.flushRun();
      this.emu.at((exact, plain) => this.onInput(index, ev, exact && plain));
    }
  }

  /**
   * Output events in a row share one call-back at the end of the run: the emulator then shows the
   * whole run, which is all the bookkeeping of output needs (input needs the screen exactly).
   */
  flushRun(): void {
    if (this.run.length === 0) return;
    const run = this.run;
    this.run = [];
    this.runBytes = 0;
    this.emu.at((exact, plain) => {
      for (let i = 0; i < run.length; i++) this.onOutput(run[i]!.index, run[i]!.ev, i === run.length - 1 && exact && plain);
    });
  }

  private onOutput(index: number, ev: SessionEvent, plain: boolean): void {
    this.lastMicros = ev.elapsedMicros;
    this.outputVersion++;
    const w = this.window;
    if (w) {
      const d = ev.data;
      for (let i = 0; i < d.length; i++) {
        if (d[i] === 0x0a) { if (w.firstNl < 0) w.firstNl = w.total + i; w.lastNl = w.total + i; }
      }
      if (w.headBytes < HEAD_BYTES * 2) { w.head.push(Buffer.from(d)); w.headBytes += d.length; }
      w.total += d.length;
    }
    if (this.pendingRead) {
      const line = this.pendingRead;
      this.pendingRead = null;
      line.command = this.readPastedCommand(line);
      line.commandPending = false;
    }
    for (const line of this.undecided) {
      if (line.shownBytes < SHOWN_BYTES) { line.shown.push(Buffer.from(ev.data)); line.shownBytes += ev.data.length; }
      const typed = this.printable(line);
      if (typed.length > 0 && echoedCount(typed, printableOf(Buffer.concat(line.shown))) * 2 >= [...typed].length) this.decide(line, false);
      else if (line.enterSeen) this.decide(line, typed.length > 0); // the first output after Enter did not echo it
    }
    this.undecided = this.undecided.filter((l) => !l.decided);
    this.hold({ item: { type: "event", index, event: ev, masked: false }, lines: [] });
    this.opts.onApplied?.(index, ev, this.emu, plain && this.emu.cursor().x < this.emu.cols);
  }

  private onInput(index: number, ev: SessionEvent, plain: boolean): void {
    this.lastMicros = ev.elapsedMicros;
    if (!this.opts.pty) {
      this.hold({ item: { type: "event", index, event: ev, masked: false }, lines: [] });
      this.opts.onApplied?.(index, ev, this.emu, plain && this.emu.cursor().x < this.emu.cols);
      return;
    }
    const d = ev.data;
    const ranges: NonNullable<Held["ranges"]> = [];
    const lines = new Set<Line>();
    const evHeld: Held = { item: { type: "event", index, event: ev, masked: false }, lines: [], ranges };
    // Items made while reading this event (ends of outputs, commands) go after the event itself.
    const after: Held[] = [evHeld];
    this.collect = after;
    let i = 0;
    while (i < d.length) {
      let j = i;
      while (j < d.length && !isLineEnd(d[j]!)) j++;
      if (j > i) {
        const line = this.line ?? this.startLine(ev);
        ranges.push({ start: i, end: j, line });
        lines.add(line);
        if (line.typedBytes < TYPED_BYTES) { line.typed.push(Buffer.from(d.subarray(i, j))); line.typedBytes += j - i; }
      }
      if (j < d.length) {
        const line = this.line ?? this.startLine(ev);
        lines.add(line);
        const mark = this.endLine(line, d[j] === 0x03 ? "abort" : "enter", ev);
        if (mark) after.push(mark);
      }
      i = j + 1;
    }
    this.collect = null;
    evHeld.lines = [...lines];
    for (const h of after) this.hold(h);
    this.opts.onApplied?.(index, ev, this.emu, plain && this.emu.cursor().x < this.emu.cols);
    if (this.held.length > MAX_HELD) this.forceOldest();
  }

  private startLine(ev: SessionEvent): Line {
    const cur = this.emu.cursor();
    const prompt = this.emu.logicalLine(cur.absY, cur.x).before;
    const secret = isSecretPrompt(prompt);
    const shell = !cur.alternate && isShellPrompt(prompt);
    if (shell) this.closeWindow(ev.elapsedMicros, true);
    const line: Line = {
      startMicros: ev.elapsedMicros, prompt, shell, decided: secret || cur.alternate, masked: secret, enterSeen: false,
      typed: [], typedBytes: 0, shown: [], shownBytes: 0, startVersion: this.outputVersion,
      marker: shell ? this.emu.term.registerMarker(0) : undefined, command: undefined, commandPending: false,
    };
    if (!line.decided) this.undecided.push(line);
    this.line = line;
    return line;
  }

  /** Ends the current line; returns the command item when a shell command was submitted. */
  private endLine(line: Line, how: "enter" | "abort", ev: SessionEvent): Held | null {
    this.line = null;
    line.enterSeen = true;
    const typed = this.printable(line);
    if (!line.decided && (typed.length === 0 || how === "abort")) {
      const shown = printableOf(Buffer.concat(line.shown));
      this.decide(line, typed.length > 0 && echoedCount(typed, shown) * 2 < [...typed].length);
    }
    const staleScreen = this.lastEndVersion === this.outputVersion && line.startVersion === this.outputVersion;
    this.lastEndVersion = this.outputVersion;
    if (how === "abort" || !line.shell) { line.marker?.dispose(); return null; }
    const text = staleScreen ? typedText(Buffer.concat(line.typed)).trim() : this.readCommand(line);
    if (text === undefined) {
      line.commandPending = true;
      this.pendingRead = line;
    } else {
      line.command = text;
      line.marker?.dispose();
      if (text === "" && typed.length === 0) return null;
    }
    const id = this.nextId++;
    this.window = { id, total: 0, head: [], headBytes: 0, firstNl: -1, lastNl: -1 };
    const mark: CommandMark = { id, atMicros: ev.elapsedMicros, text: "", prompt: line.prompt.trimEnd(), masked: false };
    return { item: { type: "command", mark }, lines: [line] };
  }

  /** The command as the screen shows it at Enter; undefined when the echo has not arrived yet. */
  private readCommand(line: Line): string | undefined {
    const cur = this.emu.cursor();
    if (cur.alternate) return typedText(Buffer.concat(line.typed)).trim();
    const text = this.emu.logicalLine(cur.absY, cur.x).text;
    let cmd: string | null = null;
    if (text.startsWith(line.prompt)) cmd = text.slice(line.prompt.length).trim();
    else if (line.marker && !line.marker.isDisposed && line.marker.line === this.emu.logicalLine(cur.absY).firstY) {
      cmd = [...text].slice([...line.prompt].length).join("").trim();
    }
    if (cmd === null) return typedText(Buffer.concat(line.typed)).trim();
    if (cmd === "" && this.printable(line) !== "" && line.startVersion === this.outputVersion) return undefined;
    return cmd;
  }

  /** A pasted line's text, read from its row once the server has echoed it. */
  private readPastedCommand(line: Line): string {
    const m = line.marker;
    let text = "";
    if (m && !m.isDisposed && !this.emu.alternate) {
      const l = this.emu.logicalLine(m.line).text;
      text = (l.startsWith(line.prompt) ? l.slice(line.prompt.length) : "").trim();
    }
    m?.dispose();
    return text !== "" ? text : typedText(Buffer.concat(line.typed)).trim();
  }

  private printable(line: Line): string {
    return printableOf(Buffer.concat(line.typed));
  }

  private decide(line: Line, masked: boolean): void {
    if (line.decided) return;
    line.decided = true;
    line.masked = masked;
    this.release();
  }

  private closeWindow(endMicros: number, byPrompt: boolean): void {
    const w = this.window;
    if (!w) return;
    this.window = null;
    let from = w.firstNl + 1;
    let to = byPrompt ? w.lastNl + 1 : w.total;
    if (w.firstNl < 0) { from = 0; to = 0; }
    const outputBytes = Math.max(0, to - from);
    const all = Buffer.concat(w.head);
    const head = Uint8Array.from(all.subarray(Math.min(from, all.length), Math.min(to, from + HEAD_BYTES, all.length)));
    const h: Held = { item: { type: "output", output: { id: w.id, endMicros, outputBytes, head } }, lines: [] };
    if (this.collect) this.collect.push(h); else this.hold(h);
  }

  private hold(h: Held): void {
    this.held.push(h);
    this.release();
  }

  /** Moves every leading item whose lines are all decided to the ready queue, masking as decided. */
  private release(): void {
    let n = 0;
    for (const h of this.held) {
      if (h.lines.some((l) => !l.decided || l.commandPending)) break;
      n++;
      const item = h.item;
      if (item.type === "event" && h.ranges && h.ranges.some((r) => r.line.masked)) {
        const d = item.event.data;
        const parts: Uint8Array[] = [];
        let at = 0;
        for (const r of h.ranges) {
          if (!r.line.masked) continue;
          parts.push(d.subarray(at, r.start), maskBytes(d.subarray(r.start, r.end)));
          at = r.end;
        }
        parts.push(d.subarray(at));
        item.event = { ...item.event, data: Buffer.concat(parts) };
        item.masked = true;
      } else if (item.type === "command") {
        const line = h.lines[0]!;
        const text = line.command ?? "";
        item.mark.text = line.masked ? maskText(text) : text;
        item.mark.masked = line.masked;
      }
      this.ready.push(item);
    }
    if (n > 0) this.held.splice(0, n);
  }

  /** Too much is waiting on one undecided line: decide it by what was echoed so far. */
  private forceOldest(): void {
    const line = this.held.flatMap((h) => h.lines).find((l) => !l.decided || l.commandPending);
    if (!line) return;
    this.settleLine(line);
    this.undecided = this.undecided.filter((l) => !l.decided);
  }

  private settleLine(line: Line): void {
    if (line.commandPending) {
      line.command = typedText(Buffer.concat(line.typed)).trim();
      line.commandPending = false;
      if (this.pendingRead === line) this.pendingRead = null;
    }
    if (!line.decided) {
      const typed = this.printable(line);
      this.decide(line, typed.length > 0 && echoedCount(typed, printableOf(Buffer.concat(line.shown))) * 2 < [...typed].length);
    }
    this.release();
  }

  /** End of the session: decide what is still open and close the last command's output. */
  finish(): void {
    for (const line of [...this.undecided, ...(this.pendingRead ? [this.pendingRead] : [])]) this.settleLine(line);
    this.undecided = [];
    this.closeWindow(this.lastMicros, false);
    this.release();
  }
}
