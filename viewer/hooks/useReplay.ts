import { useCallback, useEffect, useRef, useState } from "react";
import { IDLE_LIMIT_MICROS, idleSkip, nextMark, positionAt, seekClock, stepSpeed, togglePlay, withSpeed, type PlayClock } from "../logic/replay.js";
import type { ReplayModel, ReplayScreen } from "../replay-model.js";

/** Frames per second while playing. */
const FPS = 20;

export interface ReplayState {
  model: ReplayModel | null;
  error: { code: string; message: string } | null;
  screen: ReplayScreen;
  clock: PlayClock;
  at: number;
  query: string;
  matches: number[];
  message: { text: string; error: boolean } | null;
  /** Output events read so far while loading. */
  loaded: number;
  /** Silent stretches are cut to IDLE_LIMIT_MICROS while playing (else: real time). */
  skipIdle: boolean;
}

export interface ReplayControls {
  playPause(): void;
  speed(dir: 1 | -1): void;
  seekBy(micros: number): void;
  seekTo(micros: number): void;
  command(dir: 1 | -1): void;
  search(text: string): void;
  match(dir: 1 | -1): void;
  toggleIdle(): void;
}

const EMPTY: ReplayScreen = { lines: [], cursorX: 0, cursorY: 0 };

/**
 * Drives a replay: loads the model, keeps the play clock, and renders the emulator's screen at
 * the clock's position (one seek in flight at a time; the latest wanted position wins).
 *
 * @example const [state, controls] = useReplay(() => loadReplay(source, row.id), startAt);
 */
export function useReplay(load: (onProgress: (events: number) => void) => Promise<ReplayModel>, startAt: number, startId?: string): [ReplayState, ReplayControls] {
  const [model, setModel] = useState<ReplayModel | null>(null);
  const [error, setError] = useState<ReplayState["error"]>(null);
  const [screen, setScreen] = useState<ReplayScreen>(EMPTY);
  const [clock, setClock] = useState<PlayClock>({ playing: false, speed: 1, anchorMicros: 0, anchorMs: Date.now(), duration: 0 });
  const [at, setAt] = useState(0);
  const [query, setQuery] = useState("");
  const [matches, setMatches] = useState<number[]>([]);
  const [message, setMessage] = useState<ReplayState["message"]>(null);
  const [loaded, setLoaded] = useState(0);
  const [skipIdle, setSkipIdle] = useState(true);
  const rendering = useRef<{ busy: boolean; want: number | null }>({ busy: false, want: null });

  useEffect(() => {
    let live = true;
    let ready: ReplayModel | null = null;
    load((n) => { if (live) setLoaded(n); }).then((m) => {
      ready = m;
      if (!live) { m.dispose(); return; }
      setModel(m);
      // A command chosen in the detail: its place on the replay's own timeline when that differs.
      const chosen = startId === undefined ? undefined : m.commands.find((c) => c.id === startId);
      const start = Math.min(m.duration, Math.max(0, chosen?.atMicros ?? startAt));
      setClock({ playing: start < m.duration, speed: 1, anchorMicros: start, anchorMs: Date.now(), duration: m.duration });
      if (m.problem) setMessage({ text: m.problem.message, error: true });
    }, (err: unknown) => {
      if (!live) return;
      const e = err as { code?: string; message?: string };
      setError({ code: e.code ?? "ERR_INTERNAL", message: e.message ?? String(err) });
    });
    return () => { live = false; ready?.dispose(); };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const render = useCallback((micros: number) => {
    if (model === null) return;
    const r = rendering.current;
    r.want = micros;
    if (r.busy) return;
    r.busy = true;
    const step = (): void => {
      const target = r.want;
      r.want = null;
      if (target === null) { r.busy = false; return; }
      model.seek(target).then((s) => { setScreen(s); setAt(target); step(); }, (err: unknown) => {
        r.busy = false;
        const e = err as { message?: string };
        setMessage({ text: e.message ?? String(err), error: true });
      });
    };
    step();
  }, [model]);

  // Render on every clock change, and tick while playing.
  useEffect(() => {
    if (model === null) return;
    render(positionAt(clock, Date.now()));
    if (!clock.playing) return;
    const timer = setInterval(() => {
      const now = Date.now();
      const p = positionAt(clock, now);
      // A long silence plays for IDLE_LIMIT_MICROS, then playback moves on to the next output.
      const skip = skipIdle ? idleSkip(model.outputTimes, p, IDLE_LIMIT_MICROS) : null;
      if (skip !== null) { setClock((c) => seekClock(c, skip, now)); return; }
      render(p);
      if (p >= clock.duration) setClock((c) => seekClock({ ...c, playing: false }, c.duration, now));
    }, 1000 / FPS);
    return () => { clearInterval(timer); };
  }, [model, clock, render, skipIdle]);

  // What the last render knew, read by the controls: keys can arrive before Ink swaps handlers.
  const live = useRef({ model, clock, matches, query, skipIdle });
  live.current = { model, clock, matches, query, skipIdle };
  const controls: ReplayControls = {
    toggleIdle: () => {
      const on = !live.current.skipIdle;
      live.current.skipIdle = on;
      setSkipIdle(on);
      setMessage({ text: on ? `Silences longer than ${IDLE_LIMIT_MICROS / 1e6} s are cut short while playing.` : "Playing in real time, silences included.", error: false });
    },
    playPause: () => { setClock((c) => togglePlay(c, Date.now())); },
    speed: (dir) => { setClock((c) => withSpeed(c, stepSpeed(c.speed, dir), Date.now())); },
    seekBy: (d) => { setClock((c) => seekClock(c, positionAt(c, Date.now()) + d, Date.now())); },
    seekTo: (m) => { setClock((c) => seekClock(c, m, Date.now())); },
    command: (dir) => {
      const { model: m, clock: c0 } = live.current;
      const now = Date.now();
      const here = positionAt(c0, now);
      const to = nextMark(m?.commands.map((c) => c.atMicros) ?? [], here, dir, c0.playing ? 1_500_000 : 0);
      if (to === null) { setMessage({ text: dir === 1 ? "No command after this point." : "No command before this point.", error: false }); return; }
      setMessage(null);
      setClock((c) => seekClock(c, to, now));
    },
    search: (text) => {
      const { model: m, clock: c0 } = live.current;
      setQuery(text);
      live.current.query = text;
      if (m === null || text === "") { setMatches([]); return; }
      const found = m.search(text);
      setMatches(found);
      live.current.matches = found;
      if (found.length === 0) { setMessage({ text: `"${text}" does not appear in this session's output.`, error: true }); return; }
      const here = positionAt(c0, Date.now());
      const to = nextMark(found, here - 1, 1) ?? found[0]!;
      setMessage({ text: `"${text}": match ${found.indexOf(to) + 1} of ${found.length} (n next, N previous)`, error: false });
      setClock((c) => seekClock({ ...c, playing: false }, to, Date.now()));
    },
    match: (dir) => {
      const { matches, query, clock: c0 } = live.current;
      if (matches.length === 0) { setMessage({ text: "No search yet: press / to search the output.", error: false }); return; }
      const here = positionAt(c0, Date.now());
      const to = nextMark(matches, here, dir) ?? (dir === 1 ? matches[0]! : matches[matches.length - 1]!);
      setMessage({ text: `"${query}": match ${matches.indexOf(to) + 1} of ${matches.length}${(dir === 1 ? to <= here : to >= here) ? " (wrapped)" : ""}`, error: false });
      setClock((c) => seekClock({ ...c, playing: false }, to, Date.now()));
    },
  };
  return [{ model, error, screen, clock, at, query, matches, message, loaded, skipIdle }, controls];
}
