/**
 * The replay's keys, as plain functions: raw terminal bytes to keys, and a key to the next state
 * and what the player must do. No I/O here, so every key is tested without a terminal.
 */

export type ReplayKey =
  | "toggle" | "faster" | "slower" | "step" | "back" | "forward"
  | "nextCommand" | "prevCommand" | "start" | "end" | "quit";

/** Playback speeds, slowest to fastest; 1x is the recording's own pace. */
export const SPEEDS = [0.25, 0.5, 1, 2, 4, 8, 16, 32] as const;

/** How far the arrow keys seek, in viewing time. */
export const SEEK_STEP_MICROS = 5_000_000;

export interface ReplayState {
  paused: boolean;
  speedIndex: number;
  /** True once the last event has been shown (the player waits there for a key). */
  ended: boolean;
}

/** What the player must do after a key, besides showing the new state. */
export type ReplayAction =
  | { type: "none" }
  | { type: "seek"; toMicros: number }
  | { type: "step" }
  | { type: "quit" };

/** What a key needs to know about the recording and where playback stands. */
export interface KeyContext {
  /** Current moment, recording time (microseconds). */
  position: number;
  duration: number;
  /** Recording time moved by `delta` of viewing time (idle gaps shortened): see Timeline. */
  shift: (position: number, delta: number) => number;
  nextCommand: (position: number) => number | null;
  prevCommand: (position: number) => number | null;
}

const SEQUENCES: Array<[string, ReplayKey]> = [
  ["\x1b[C", "forward"], ["\x1bOC", "forward"], ["\x1b[D", "back"], ["\x1bOD", "back"],
  ["\x1b[H", "start"], ["\x1bOH", "start"], ["\x1b[1~", "start"], ["\x1b[F", "end"], ["\x1bOF", "end"], ["\x1b[4~", "end"],
];
const SINGLE: Record<string, ReplayKey> = {
  " ": "toggle", "p": "toggle", "+": "faster", "=": "faster", ">": "faster", "-": "slower", "_": "slower", "<": "slower",
  ".": "step", "]": "nextCommand", "[": "prevCommand", "q": "quit", "Q": "quit", "\x03": "quit", "0": "start", "g": "start", "G": "end",
};

/**
 * The keys in a chunk of terminal input (several may arrive at once; unknown ones are dropped).
 *
 * @example parseKeys(Buffer.from(" \x1b[C]")) // ["toggle", "forward", "nextCommand"]
 */
export function parseKeys(data: Uint8Array): ReplayKey[] {
  const s = Buffer.from(data).toString("latin1");
  const keys: ReplayKey[] = [];
  let i = 0;
  while (i < s.length) {
    const seq = s[i] === "\x1b" ? SEQUENCES.find(([k]) => s.startsWith(k, i)) : undefined;
    if (seq) { keys.push(seq[1]); i += seq[0].length; continue; }
    if (s[i] === "\x1b") {
      // An unknown escape sequence: skip it whole, so its letters are not read as keys.
      let j = i + 1;
      if (s[j] === "[" || s[j] === "O") { j++; while (j < s.length && !/[@-~]/.test(s[j]!)) j++; }
      i = Math.min(j + 1, s.length);
      continue;
    }
    const k = SINGLE[s[i]!];
    if (k) keys.push(k);
    i++;
  }
  return keys;
}

/**
 * Applies one key: the next state and the action for the player.
 *
 * @example applyKey({ paused: false, speedIndex: 2, ended: false }, "faster", ctx).state.speedIndex === 3
 */
export function applyKey(state: ReplayState, key: ReplayKey, ctx: KeyContext): { state: ReplayState; action: ReplayAction } {
  const clamp = (t: number): number => Math.max(0, Math.min(ctx.duration, t));
  const seek = (t: number, paused = state.paused): { state: ReplayState; action: ReplayAction } =>
    ({ state: { ...state, paused, ended: t >= ctx.duration && paused }, action: { type: "seek", toMicros: clamp(t) } });
  switch (key) {
    case "toggle":
      if (state.ended) return seek(0, false); // at the end, space plays again from the start
      return { state: { ...state, paused: !state.paused }, action: { type: "none" } };
    case "faster":
      return { state: { ...state, speedIndex: Math.min(SPEEDS.length - 1, state.speedIndex + 1) }, action: { type: "none" } };
    case "slower":
      return { state: { ...state, speedIndex: Math.max(0, state.speedIndex - 1) }, action: { type: "none" } };
    case "step":
      return state.paused ? { state, action: { type: "step" } } : { state, action: { type: "none" } };
    case "forward":
      return seek(ctx.shift(ctx.position, SEEK_STEP_MICROS));
    case "back":
      return seek(ctx.shift(ctx.position, -SEEK_STEP_MICROS));
    case "nextCommand": {
      const t = ctx.nextCommand(ctx.position);
      return t === null ? { state, action: { type: "none" } } : seek(t);
    }
    case "prevCommand": {
      const t = ctx.prevCommand(ctx.position);
      return seek(t ?? 0);
    }
    case "start":
      return seek(0);
    case "end":
      return seek(ctx.duration, true);
    case "quit":
      return { state, action: { type: "quit" } };
  }
}
