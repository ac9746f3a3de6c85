/**
 * The replay pane's logic without a terminal: the play clock, speeds, seeking, the command and
 * search-match jumps, the timeline bar, and the output search that finds the moment a text appeared.
 */
import { partitionPoint } from "../../lib/partition-point.js";

/** Playback speeds `+` and `-` step through. */
export const SPEEDS = [0.25, 0.5, 1, 2, 4, 8, 16] as const;

/**
 * The next speed up (`dir` 1) or down (-1), staying within SPEEDS.
 *
 * @example stepSpeed(1, 1) // 2
 */
export function stepSpeed(speed: number, dir: 1 | -1): number {
  let i = SPEEDS.findIndex((s) => s >= speed);
  if (i < 0) i = SPEEDS.length - 1;
  if (SPEEDS[i] !== speed && dir === 1) i--; // between two steps: up goes to the upper one
  return SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, i + dir))]!;
}

/** Where playback is: a position that advances with wall time while playing. */
export interface PlayClock {
  playing: boolean;
  speed: number;
  /** Position (microseconds into the recording) at `anchorMs`. */
  anchorMicros: number;
  /** Wall time (ms) the anchor was taken. */
  anchorMs: number;
  /** Recording length, microseconds: the clock stops there. */
  duration: number;
}

/**
 * The recording position at wall time `nowMs`.
 *
 * @example positionAt({ playing: true, speed: 2, anchorMicros: 0, anchorMs: 0, duration: 1e9 }, 1000) // 2_000_000
 */
export function positionAt(c: PlayClock, nowMs: number): number {
  const p = c.playing ? c.anchorMicros + (nowMs - c.anchorMs) * 1000 * c.speed : c.anchorMicros;
  return Math.max(0, Math.min(c.duration, Math.round(p)));
}

/**
 * A clock moved to `micros` (clamped), keeping play state and speed. Playing past the end pauses.
 *
 * @example seekClock(clock, 5_000_000, Date.now())
 */
export function seekClock(c: PlayClock, micros: number, nowMs: number): PlayClock {
  const at = Math.max(0, Math.min(c.duration, Math.round(micros)));
  return { ...c, anchorMicros: at, anchorMs: nowMs, playing: c.playing && at < c.duration };
}

/**
 * Play or pause; playing from the very end starts over.
 *
 * @example togglePlay(clock, Date.now()).playing
 */
export function togglePlay(c: PlayClock, nowMs: number): PlayClock {
  const at = positionAt(c, nowMs);
  if (c.playing) return { ...c, playing: false, anchorMicros: at, anchorMs: nowMs };
  return { ...c, playing: true, anchorMicros: at >= c.duration ? 0 : at, anchorMs: nowMs };
}

/**
 * Changes speed without a jump in position.
 *
 * @example withSpeed(clock, 4, Date.now())
 */
export function withSpeed(c: PlayClock, speed: number, nowMs: number): PlayClock {
  return { ...c, speed, anchorMicros: positionAt(c, nowMs), anchorMs: nowMs };
}

/**
 * The first mark strictly after `at` (dir 1) or strictly before it (dir -1), or null. Marks are
 * sorted microsecond positions (commands, search matches). Going back from just after a mark
 * (less than `slack`) skips it, so pressing "previous" twice moves on.
 *
 * @example nextMark([1, 5, 9], 5, 1) // 9
 */
export function nextMark(marks: readonly number[], at: number, dir: 1 | -1, slack = 0): number | null {
  if (dir === 1) {
    for (const m of marks) if (m > at) return m;
    return null;
  }
  for (let i = marks.length - 1; i >= 0; i--) if (marks[i]! < at - slack) return marks[i]!;
  return null;
}

/**
 * The timeline: a bar `width` cells wide with the played part filled, marks for commands
 * (`┃`) and search matches (`◆`), and the position as `●`.
 *
 * @example timelineBar(10, 5, 10, [2], []) // "━━┃━━●────"
 */
export function timelineBar(width: number, at: number, duration: number, commands: readonly number[], matches: readonly number[]): string {
  if (width <= 0) return "";
  const cell = (t: number): number => (duration <= 0 ? 0 : Math.min(width - 1, Math.floor((t / duration) * width)));
  const here = duration <= 0 ? 0 : Math.min(width - 1, Math.floor((Math.min(at, duration) / duration) * width));
  const out: string[] = [];
  for (let i = 0; i < width; i++) out.push(i < here ? "━" : "─");
  for (const c of commands) out[cell(c)] = "┃";
  for (const m of matches) out[cell(m)] = "◆";
  out[here] = "●";
  return out.join("");
}

/**
 * The text a session printed, with escape sequences removed, and when each part of it was
 * printed: the index `search` runs over. Built incrementally from output events.
 *
 * @example const t = new OutputText(); t.push(bytes, 1_200_000); t.search("rm -rf") // [1_200_000]
 */
export class OutputText {
  private readonly decoder = new TextDecoder("utf-8");
  private parts: string[] = [];
  private text: string | null = "";
  /** Start offsets in the text and the time of the event that printed from there. */
  private readonly offsets: number[] = [];
  private readonly times: number[] = [];
  private length = 0;
  private state: "text" | "esc" | "csi" | "string" | "string-esc" = "text";

  /** Appends one output event's bytes, printed at `micros`. */
  push(data: Uint8Array, micros: number): void {
    const s = this.decoder.decode(data, { stream: true });
    let out = "";
    for (let i = 0; i < s.length; i++) {
      const ch = s[i]!;
      const code = ch.charCodeAt(0);
      switch (this.state) {
        case "text":
          if (code === 0x1b) this.state = "esc";
          else if (code === 0x0a) out += "\n";
          else if (code >= 0x20 && code !== 0x7f) out += ch;
          break;
        case "esc":
          // CSI, or a string (OSC, DCS, SOS, PM, APC) up to BEL or ST; anything else is a 2-byte escape.
          this.state = ch === "[" ? "csi" : ch === "]" || ch === "P" || ch === "X" || ch === "^" || ch === "_" ? "string" : "text";
          break;
        case "csi":
          if (code >= 0x40 && code <= 0x7e) this.state = "text";
          break;
        case "string":
          if (code === 0x07) this.state = "text";
          else if (code === 0x1b) this.state = "string-esc";
          break;
        case "string-esc":
          this.state = ch === "\\" ? "text" : "string";
          break;
      }
    }
    if (out === "") return;
    this.offsets.push(this.length);
    this.times.push(micros);
    this.parts.push(out);
    this.length += out.length;
    this.text = null;
  }

  /** Everything printed so far, lower-cased (searches ignore case). */
  private lowered(): string {
    if (this.text === null) {
      this.text = this.parts.join("").toLowerCase();
      this.parts = [this.text];
    }
    return this.text;
  }

  /** When the character at `index` was printed. */
  timeOf(index: number): number {
    let lo = 0;
    let hi = this.offsets.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.offsets[mid]! <= index) lo = mid; else hi = mid - 1;
    }
    return this.times[lo] ?? 0;
  }

  /**
   * The moments `query` appeared, case-insensitive: the time its last character was printed, one
   * per occurrence, sorted, at most `limit`.
   *
   * @example text.search("rm -rf") // [12_400_000]
   */
  search(query: string, limit = 10_000): number[] {
    const q = query.toLowerCase();
    if (q === "") return [];
    const hay = this.lowered();
    const found: number[] = [];
    for (let i = hay.indexOf(q); i >= 0 && found.length < limit; i = hay.indexOf(q, i + q.length)) {
      const t = this.timeOf(i + q.length - 1);
      if (found[found.length - 1] !== t) found.push(t);
    }
    return found;
  }
}

/** Idle gaps are cut to this while playing, unless the user asks for real time. */
export const IDLE_LIMIT_MICROS = 2_000_000;

/**
 * Where to jump when playback sits in a silent gap longer than `limit`: the next output, once
 * `limit` of the gap has played; null when there is nothing to skip. `times` is sorted.
 *
 * @example idleSkip([1_000_000, 60_000_000], 3_500_000, 2_000_000) // 60_000_000
 */
export function idleSkip(times: readonly number[], at: number, limit: number): number | null {
  // The first output after `at`, and the last at or before it.
  const lo = partitionPoint(times.length, (i) => times[i]! <= at);
  const next = times[lo];
  const prev = lo > 0 ? times[lo - 1]! : 0;
  if (next === undefined) return null;
  return at - prev >= limit && next - prev > limit ? next : null;
}
