import { Source, type Session, type SessionEvent, type SessionInfo } from "../session/model.js";
import { analyzeEvents, type CommandMark } from "./analyzer.js";
import { Emulator } from "./emulator.js";
import { partitionPoint } from "../partition-point.js";

/** A command's place on the timeline, for jumping to it. */
export interface PlayerCommand {
  atMicros: number;
  text: string;
}

/** The recorded terminal at one moment, as text. */
export interface PlayerScreen {
  lines: string[];
  cursorX: number;
  cursorY: number;
  alternate: boolean;
}

export interface PlayerOptions {
  /** At most this many output events between snapshots (default 400). */
  snapshotEveryEvents?: number;
  /** At most this many output bytes between snapshots (default 32 KiB). */
  snapshotEveryBytes?: number;
  /** Lines of scrollback in the live emulator (default 0: replay shows the screen). */
  scrollback?: number;
  /** Called while loading, with the events read so far. */
  onProgress?: (events: number) => void;
}

interface Snapshot {
  /** Output events applied before it. */
  index: number;
  state: string;
  /** The emulator's fingerprint when it was taken, to check that the state rebuilds it. */
  print?: string;
}

const MAX_SNAPSHOTS = 4000;
/** Code points that join the character before them: combining marks, joiners, variation selectors. */
const JOINS = /^[\p{M}\u200c\u200d\ufe00-\ufe0f]/u;

/**
 * A session's terminal that can be moved to any moment: the model behind `ssh-log replay` and the
 * viewer's replay pane. Loading runs the whole session through the emulator once, finding the
 * commands and keeping a snapshot of the terminal every few hundred events; `seek(t)` then restores
 * the nearest snapshot at or before t and replays only the events after it, so seeking backwards
 * costs the same as seeking forwards. Holds the session's output in memory.
 *
 * @example
 *   const p = await TerminalPlayer.load(session);
 *   await p.seek(90_000_000);            // the screen at 1:30
 *   console.log(p.screen().lines.join("\n"), p.commandAt(p.time)?.text);
 */
export class TerminalPlayer {
  /** Output events, in order. */
  readonly events: SessionEvent[];
  readonly commands: PlayerCommand[];
  readonly cols: number;
  readonly rows: number;
  /** Time of the last event, microseconds. */
  readonly duration: number;
  private readonly snapshots: Snapshot[];
  /** Output events applied so far. */
  private applied = 0;
  private now = 0;

  private constructor(readonly info: SessionInfo, readonly emu: Emulator, events: SessionEvent[], commands: PlayerCommand[], snapshots: Snapshot[], duration: number) {
    this.events = events;
    this.commands = commands;
    this.snapshots = snapshots;
    this.cols = emu.cols;
    this.rows = emu.rows;
    this.duration = duration;
  }

  /** Reads the session and prepares it for playing (see the class comment). */
  static async load(session: Session, opts: PlayerOptions = {}): Promise<TerminalPlayer> {
    return TerminalPlayer.fromEvents(session.info, session.events(), opts);
  }

  /** The same, from metadata and an event stream. */
  static async fromEvents(info: SessionInfo, source: AsyncIterable<SessionEvent>, opts: PlayerOptions = {}): Promise<TerminalPlayer> {
    const cols = info.pty?.width || 80;
    const rows = info.pty?.height || 24;
    const everyEvents = opts.snapshotEveryEvents ?? 400;
    const everyBytes = opts.snapshotEveryBytes ?? 32 * 1024;
    const events: SessionEvent[] = [];
    const commands: PlayerCommand[] = [];
    const snapshots: Snapshot[] = [{ index: 0, state: "" }];
    let sinceEvents = 0;
    let sinceBytes = 0;
    let duration = 0;
    let step = 1; // when snapshots grow too many, keep one in `step` of the ones to come
    let skipped = 0;
    // A snapshot is kept only once the next output is known not to begin with a combining mark:
    // the emulator joins such a mark to the character before it, which a restored screen forgets.
    let candidate: Snapshot | null = null;
    const onApplied = (_i: number, ev: SessionEvent, emu: Emulator, safe: boolean): void => {
      duration = Math.max(duration, ev.elapsedMicros);
      if (ev.source !== Source.Server) return;
      if (candidate) {
        if (!JOINS.test(Buffer.from(ev.data.subarray(0, 4)).toString("utf8"))) snapshots.push(candidate);
        candidate = null;
      }
      events.push(ev);
      sinceEvents++;
      sinceBytes += ev.data.length;
      if (safe && (sinceEvents >= everyEvents || sinceBytes >= everyBytes)) {
        sinceEvents = 0;
        sinceBytes = 0;
        if (++skipped < step) return;
        skipped = 0;
        candidate = { index: events.length, state: emu.snapshot(0), print: emu.fingerprint() };
        if (snapshots.length >= MAX_SNAPSHOTS) {
          // Thin out: keep every other snapshot and take half as many from now on.
          const kept = snapshots.filter((_, k) => k % 2 === 0);
          snapshots.splice(0, snapshots.length, ...kept);
          step *= 2;
        }
      }
    };
    let n = 0;
    for await (const item of analyzeEvents(source, { cols, rows, pty: info.pty !== null, onApplied, outputRun: Math.ceil(everyEvents / 4) })) {
      if (item.type === "command") commands.push(toCommand(item.mark));
      if (++n % 4096 === 0) opts.onProgress?.(events.length);
    }
    if (candidate) snapshots.push(candidate);
    const kept = await verified(snapshots, cols, rows, info.pty === null);
    const emu = await Emulator.create({ cols, rows, scrollback: opts.scrollback ?? 0, convertEol: info.pty === null });
    return new TerminalPlayer(info, emu, events, commands, kept, duration);
  }

  /** How many snapshots seeking can start from. */
  get snapshotCount(): number { return this.snapshots.length; }

  /** The current moment, microseconds since the session started. */
  get time(): number { return this.now; }

  /** Output events applied so far (the next `step` applies `events[position]`). */
  get position(): number { return this.applied; }

  /** True when every event has been applied. */
  get atEnd(): boolean { return this.applied >= this.events.length; }

  /** How many output events happen at or before `micros`. */
  private countUpTo(micros: number): number {
    return partitionPoint(this.events.length, (i) => this.events[i]!.elapsedMicros <= micros);
  }

  /** Moves to `micros`: the screen then shows every event at or before it. */
  async seek(micros: number): Promise<void> {
    const t = Math.max(0, Math.min(micros, this.duration));
    const target = this.countUpTo(t);
    if (target < this.applied || target - this.applied > this.nearestSnapshot(target).gap) {
      const snap = this.nearestSnapshot(target).snap;
      await this.emu.reset();
      if (snap.state !== "") this.emu.feed(snap.state);
      this.applied = snap.index;
    }
    this.applyUpTo(target);
    await this.emu.settle();
    this.now = t;
  }

  private nearestSnapshot(target: number): { snap: Snapshot; gap: number } {
    let lo = 0;
    let hi = this.snapshots.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.snapshots[mid]!.index <= target) lo = mid; else hi = mid - 1;
    }
    const snap = this.snapshots[lo]!;
    return { snap, gap: target - snap.index };
  }

  private applyUpTo(target: number): void {
    while (this.applied < target) this.emu.feed(this.events[this.applied++]!.data);
  }

  /**
   * Plays forward to `micros` (never back): applies the events up to it and returns how many.
   * The playback loop calls this on every frame.
   */
  async advanceTo(micros: number): Promise<number> {
    const target = this.countUpTo(micros);
    const n = Math.max(0, target - this.applied);
    this.applyUpTo(target);
    if (n > 0) await this.emu.settle();
    this.now = Math.max(this.now, Math.min(micros, this.duration));
    return n;
  }

  /** Applies the next output event (and everything at the same moment); null at the end. */
  async step(): Promise<SessionEvent | null> {
    const ev = this.events[this.applied];
    if (!ev) return null;
    this.applyUpTo(this.applied + 1);
    await this.emu.settle();
    this.now = ev.elapsedMicros;
    return ev;
  }

  /** The last command submitted at or before `micros`. */
  commandAt(micros: number): PlayerCommand | null {
    let found: PlayerCommand | null = null;
    for (const c of this.commands) {
      if (c.atMicros > micros) break;
      found = c;
    }
    return found;
  }

  /** The first command after `micros`. */
  nextCommand(micros: number): PlayerCommand | null {
    return this.commands.find((c) => c.atMicros > micros) ?? null;
  }

  /**
   * The command before the one playing: like a music player's "previous", a press within
   * `graceMicros` of a command's start goes to the one before it.
   */
  previousCommand(micros: number, graceMicros = 1_000_000): PlayerCommand | null {
    let found: PlayerCommand | null = null;
    for (const c of this.commands) {
      if (c.atMicros >= micros - graceMicros) break;
      found = c;
    }
    return found;
  }

  /** The screen now, as text. */
  screen(): PlayerScreen {
    const c = this.emu.cursor();
    return { lines: this.emu.screenLines(), cursorX: c.x, cursorY: c.y, alternate: c.alternate };
  }

  /** Frees the emulator. */
  dispose(): void {
    this.emu.dispose();
  }
}

/**
 * Keeps the snapshots that rebuild what they were taken from: restored into a fresh emulator, the
 * screens, cursor and modes must match the fingerprint taken with them. A screen the serializer
 * cannot rebuild (a lone combining mark, say) is dropped, and seeking starts from an earlier one.
 */
async function verified(snapshots: Snapshot[], cols: number, rows: number, convertEol: boolean): Promise<Snapshot[]> {
  const checker = await Emulator.create({ cols, rows, scrollback: 0, convertEol });
  const ok = snapshots.map((s) => s.state === "");
  try {
    snapshots.forEach((s, i) => {
      if (s.state === "") return;
      checker.feed("\x1bc"); // full reset between snapshots
      checker.feed(s.state);
      checker.at(() => { ok[i] = checker.fingerprint() === s.print; s.print = undefined; });
    });
    await checker.settle();
  } finally {
    checker.dispose();
  }
  return snapshots.filter((_, i) => ok[i]);
}

function toCommand(m: CommandMark): PlayerCommand {
  return { atMicros: m.atMicros, text: m.text };
}
