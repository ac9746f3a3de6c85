import { writeTo } from "../outputs/output-target.js";
import { Source, type Session } from "../session/model.js";
import { enterFullScreen } from "../terminal/screen-mode.js";
import type { TerminalPlayer } from "../terminal/player.js";
import { applyKey, parseKeys, SPEEDS, type KeyContext, type ReplayState } from "./keys.js";
import { ScreenPainter, statusLine } from "./render.js";
import { Timeline } from "./timeline.js";

export interface ReplayOptions {
  /** Starting speed (the nearest of SPEEDS). */
  speed?: number;
  /** Longest pause shown, microseconds; null keeps every pause. */
  idleLimitMicros?: number | null;
  /** Where to start, recording time in microseconds. */
  fromMicros?: number;
  /** Quit at the end instead of waiting there for a key (used when there is no keyboard). */
  exitAtEnd?: boolean;
  /** Frame interval in milliseconds (default 33). */
  frameMs?: number;
}

/** The viewer's terminal: raw keys in, frames out, and its size. */
export interface ReplayTerminal {
  input: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (on: boolean) => unknown };
  output: NodeJS.WritableStream & { columns?: number; rows?: number; on?(event: "resize", fn: () => void): unknown; off?(event: "resize", fn: () => void): unknown };
}

/**
 * The index in SPEEDS nearest to `speed`.
 *
 * @example SPEEDS[speedIndexFor(3)] === 4
 */
export function speedIndexFor(speed: number): number {
  let best = 0;
  for (let i = 0; i < SPEEDS.length; i++) if (Math.abs(Math.log(SPEEDS[i]! / speed)) < Math.abs(Math.log(SPEEDS[best]! / speed))) best = i;
  return best;
}

/**
 * Plays a session in the viewer's terminal (alternate screen, raw keys) until `q`: space pauses,
 * + and - (or > and <) change speed, . steps one event while paused, the arrows seek 5 s, ] and [
 * jump to the next or previous command, and the status line shows time, speed and the current
 * command. Seeking backwards restores the nearest snapshot, so it is as quick as seeking forwards.
 * The terminal is put back as it was however the replay ends.
 *
 * @example await runReplay(await TerminalPlayer.load(session), { input: process.stdin, output: process.stdout }, { speed: 2 });
 */
export async function runReplay(player: TerminalPlayer, term: ReplayTerminal, opts: ReplayOptions = {}): Promise<{ interrupted: boolean }> {
  const out = term.output;
  let givenBack = false; // a signal gave the terminal back at once: nothing more is drawn
  const write = (s: string): void => { if (!givenBack) out.write(s); };
  const timeline = new Timeline(player.events.map((e) => e.elapsedMicros), opts.idleLimitMicros ?? null);
  const painter = new ScreenPainter(write);
  let state: ReplayState = { paused: false, speedIndex: speedIndexFor(opts.speed ?? 1), ended: false };
  let position = Math.max(0, Math.min(opts.fromMicros ?? 0, player.duration));
  let viewBase = 0;
  let wallBase = 0;
  const rebase = (): void => { viewBase = timeline.toView(position); wallBase = performance.now(); };
  const size = (): { cols: number; rows: number } => ({ cols: out.columns || 80, rows: out.rows || 24 });
  const warning = (): string | null => {
    const { cols, rows } = size();
    return cols < player.cols || rows - 1 < player.rows ? `recorded ${player.cols}x${player.rows}, terminal ${cols}x${rows}: cropped` : null;
  };
  const paint = (): void => {
    const { cols, rows } = size();
    painter.paint(player.emu, cols, rows, statusLine({
      position, duration: player.duration, speed: SPEEDS[state.speedIndex]!, paused: state.paused, ended: state.ended,
      command: player.commandAt(position)?.text ?? null, warning: warning(), width: cols,
    }));
  };
  const ctx = (): KeyContext => ({
    position, duration: player.duration,
    shift: (t, d) => timeline.shift(t, d),
    nextCommand: (t) => player.nextCommand(t)?.atMicros ?? null,
    prevCommand: (t) => player.previousCommand(t)?.atMicros ?? null,
  });

  // One thing at a time: frames and keys both move the player, which is asynchronous.
  let chain: Promise<void> = Promise.resolve();
  const serial = (fn: () => Promise<void>): void => { chain = chain.then(fn).catch((err) => { failure ??= err; finish(); }); };
  let failure: unknown = null;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => { finish = resolve; });

  const tick = async (): Promise<void> => {
    if (!state.paused) {
      const view = viewBase + ((performance.now() - wallBase) * 1000) * SPEEDS[state.speedIndex]!;
      let t = timeline.toRecording(view);
      if (t >= player.duration) {
        t = player.duration;
        state = { ...state, paused: true, ended: true };
      }
      await player.advanceTo(t);
      position = t;
      if (state.ended && opts.exitAtEnd) { paint(); finish(); return; }
    }
    paint();
  };
  const onKeys = (data: Buffer | string): void => {
    for (const key of parseKeys(typeof data === "string" ? Buffer.from(data) : data)) {
      serial(async () => {
        const r = applyKey(state, key, ctx());
        state = r.state;
        if (r.action.type === "quit") { finish(); return; }
        if (r.action.type === "seek") {
          await player.seek(r.action.toMicros);
          position = r.action.toMicros;
          if (position < player.duration) state = { ...state, ended: false };
        } else if (r.action.type === "step") {
          const ev = await player.step();
          if (ev) position = ev.elapsedMicros;
          else state = { ...state, ended: true };
        }
        rebase();
        paint();
      });
    }
  };
  const onResize = (): void => { painter.invalidate(); serial(async () => paint()); };
  // A signal from outside (kill, a closed terminal) gives the terminal back (enterFullScreen) and
  // ends the replay the same way q does.
  let interrupted = false;
  const onSignal = (): void => { givenBack = true; interrupted = true; finish(); };

  const input = term.input;
  const restoreScreen = enterFullScreen(out, input, process, onSignal);
  write("\x1b[?25l\x1b[H\x1b[2J");
  if (input.isTTY === true && typeof input.setRawMode === "function") input.setRawMode(true);
  input.on("data", onKeys);
  input.resume();
  out.on?.("resize", onResize);
  let timer: NodeJS.Timeout | null = null;
  try {
    await player.seek(position);
    rebase();
    paint();
    timer = setInterval(() => serial(tick), opts.frameMs ?? 33);
    await done;
    await chain;
  } finally {
    if (timer) clearInterval(timer);
    input.off("data", onKeys);
    out.off?.("resize", onResize);
    input.pause();
    write("\x1b[0m");
    restoreScreen(); // raw mode off, cursor shown, main screen back
  }
  if (failure) throw failure;
  return { interrupted };
}

/**
 * Without a terminal (a pipe, a file): the session's output bytes as they were sent, at full
 * speed, so `ssh-log replay ... | less -R` or `> out.txt` gets the raw stream. Waits for the
 * stream to drain; a reader that goes away (EPIPE) ends it with OutputClosedError.
 *
 * @example const bytes = await pipeReplay(session, process.stdout);
 */
export async function pipeReplay(session: Session, out: NodeJS.WritableStream): Promise<number> {
  return writeTo(null, out, async (sink) => {
    for await (const batch of session.batches()) {
      const parts = batch.filter((e) => e.source === Source.Server).map((e) => e.data);
      if (parts.length > 0) await sink.write(Buffer.concat(parts));
    }
    return sink.bytes;
  });
}

/**
 * The same from a moment of the recording (`replay --from` into a pipe): the terminal's screen at
 * `micros`, drawn as escape sequences for a terminal the recording's size, then the output that
 * followed it, as sent.
 *
 * @example await pipeReplayFrom(await TerminalPlayer.load(session), 90_000_000, process.stdout);
 */
export async function pipeReplayFrom(player: TerminalPlayer, micros: number, out: NodeJS.WritableStream): Promise<number> {
  await player.seek(micros);
  return writeTo(null, out, async (sink) => {
    await sink.write(Buffer.from(player.emu.snapshot(0), "utf8"));
    for (let i = player.position; i < player.events.length; i++) await sink.write(player.events[i]!.data);
    return sink.bytes;
  });
}
