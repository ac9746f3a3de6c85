import { partitionPoint } from "../partition-point.js";

/**
 * Recording time and viewing time. With an idle limit, a pause longer than the limit is shown as
 * the limit: this maps one to the other, both ways.
 *
 * @example new Timeline([0, 10_000_000], 2_000_000).toRecording(2_000_000) === 10_000_000
 */
export class Timeline {
  private readonly rec: number[];
  private readonly view: number[];

  /**
   * @param times the events' moments (microseconds, ascending)
   * @param idleLimitMicros longest pause shown, or null to keep every pause
   * @example new Timeline([0, 10_000_000], 2_000_000).toView(10_000_000) === 2_000_000
   */
  constructor(times: readonly number[], idleLimitMicros: number | null) {
    const rec: number[] = [0];
    const view: number[] = [0];
    for (const t of times) {
      const last = rec[rec.length - 1]!;
      if (t <= last) continue;
      const gap = t - last;
      rec.push(t);
      view.push(view[view.length - 1]! + (idleLimitMicros === null ? gap : Math.min(gap, idleLimitMicros)));
    }
    this.rec = rec;
    this.view = view;
  }

  /** Viewing time at recording time `t`. */
  toView(t: number): number {
    const i = upper(this.rec, t) - 1;
    const base = Math.max(0, i);
    const into = t - this.rec[base]!;
    const next = this.rec[base + 1];
    const room = next === undefined ? into : Math.min(into, this.view[base + 1]! - this.view[base]!);
    return this.view[base]! + Math.max(0, room);
  }

  /** Recording time at viewing time `v`. */
  toRecording(v: number): number {
    const i = Math.max(0, upper(this.view, v) - 1);
    const into = v - this.view[i]!;
    const next = this.rec[i + 1];
    return Math.max(0, next === undefined ? this.rec[i]! + into : Math.min(this.rec[i]! + into, next));
  }

  /** Recording time `t` moved by `delta` of viewing time. */
  shift(t: number, delta: number): number {
    return this.toRecording(Math.max(0, this.toView(t) + delta));
  }
}

/** Index of the first element greater than `x`. */
function upper(a: number[], x: number): number {
  return partitionPoint(a.length, (i) => a[i]! <= x);
}

/**
 * Reads a time given on the command line: seconds ("90", "1.5"), m:ss ("1:30") or h:mm:ss; after a
 * colon, seconds (and in h:mm:ss the minutes) must be below 60, so "1:75" is no time (null).
 *
 * @example parseTime("1:30") === 90_000_000
 */
export function parseTime(text: string): number | null {
  const m = /^(?:(?:(\d+):)?(\d+):)?(\d+(?:\.\d+)?)s?$/.exec(text.trim());
  if (!m) return null;
  if (m[2] !== undefined && Number(m[3]) >= 60) return null;
  if (m[1] !== undefined && Number(m[2]) >= 60) return null;
  const seconds = Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3]);
  return Math.round(seconds * 1e6);
}

/**
 * Formats microseconds as m:ss (h:mm:ss past an hour).
 *
 * @example formatTime(90_000_000) === "1:30"
 */
export function formatTime(micros: number): string {
  const s = Math.floor(Math.max(0, micros) / 1e6);
  const h = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(mm).padStart(2, "0")}:${ss}` : `${mm}:${ss}`;
}
