/**
 * Builds a session's replay: its output events fed through the project's terminal emulator
 * (lib/terminal/emulator.ts) at the recording's size, its commands from the source, and a search
 * index of what it printed.
 */
import { SshLogError } from "../../lib/errors.js";
import { Source, type SessionEvent } from "../../lib/session/model.js";
import { Emulator } from "../../lib/terminal/emulator.js";
import { OutputText } from "../logic/replay.js";
import type { ReplayModel, ReplayScreen } from "../replay-model.js";
import type { SessionRow, SessionSource } from "../source.js";

/** Output kept in memory for one replay; a longer recording replays up to here and says so. */
const MAX_BYTES = 256 * 1024 * 1024;

/**
 * Opens a session from its source and prepares its replay.
 *
 * @example const model = await loadReplay(source, row); const screen = await model.seek(5_000_000);
 */
export async function loadReplay(source: SessionSource, row: SessionRow): Promise<ReplayModel> {
  const [session, detail] = await Promise.all([source.open(row.id), source.detail(row.id)]);
  const pty = session.info.pty;
  const cols = pty?.width ?? 80;
  const rows = pty?.height ?? 24;
  const events: SessionEvent[] = [];
  const text = new OutputText();
  let bytes = 0;
  let last = 0;
  let problem: ReplayModel["problem"] = null;
  try {
    for await (const batch of session.batches()) {
      for (const ev of batch) {
        last = Math.max(last, ev.elapsedMicros);
        if (ev.source !== Source.Server) continue;
        bytes += ev.data.length;
        if (bytes > MAX_BYTES) break;
        events.push(ev);
        text.push(ev.data, ev.elapsedMicros);
      }
      if (bytes > MAX_BYTES) {
        problem = { code: "ERR_LIMIT", message: `This recording prints more than ${MAX_BYTES / 1024 / 1024} MB; the replay stops there.` };
        break;
      }
    }
  } catch (err) {
    if (!(err instanceof SshLogError)) throw err;
    problem = { code: err.code, message: err.message };
  }
  const e = session.outcome.error;
  if (problem === null && e) problem = { code: e.code, message: `${e.message} The replay shows what was read before it.` };

  let emu = await Emulator.create({ cols, rows, convertEol: pty === null });
  // Index of the next event to feed: the emulator shows events [0, next).
  let next = 0;
  let disposed = false;
  const screen = (): ReplayScreen => {
    const c = emu.cursor();
    return { lines: emu.screenLines(), cursorX: c.x, cursorY: c.y };
  };
  return {
    cols,
    rows,
    duration: last,
    commands: detail.commands,
    problem,
    async seek(micros: number): Promise<ReplayScreen> {
      if (disposed) return { lines: [], cursorX: 0, cursorY: 0 };
      // Going back means starting over: an emulator cannot run backwards.
      if (next > 0 && events[next - 1]!.elapsedMicros > micros) {
        emu.dispose();
        emu = await Emulator.create({ cols, rows, convertEol: pty === null });
        next = 0;
      }
      while (next < events.length && events[next]!.elapsedMicros <= micros) {
        emu.feed(events[next]!.data);
        next++;
        await emu.throttle();
      }
      await emu.settle();
      return screen();
    },
    search: (query) => text.search(query),
    dispose() {
      disposed = true;
      emu.dispose();
    },
  };
}
