/**
 * Builds a session's replay on the project's terminal player (lib/terminal/player.ts: the emulator
 * with snapshots, so seeking either way is quick), with the source's commands and a search index
 * of what the session printed.
 */
import { SshLogError } from "../../lib/errors.js";
import { partitionPoint } from "../../lib/partition-point.js";
import { Source, type SessionEvent } from "../../lib/session/model.js";
import { TerminalPlayer } from "../../lib/terminal/player.js";
import { runsOfLine, type Run } from "../logic/cells.js";
import { OutputText } from "../logic/replay.js";
import { isRisky } from "../logic/risky.js";
import type { ReplayModel } from "../replay-model.js";
import type { SessionRow, SessionSource } from "../source.js";

/** Output held in memory for one replay; a longer recording replays up to here and says so. */
const MAX_BYTES = 256 * 1024 * 1024;

/**
 * Opens a session from its source and prepares its replay.
 *
 * @example const model = await loadReplay(source, row); const screen = await model.seek(5_000_000);
 */
export async function loadReplay(source: SessionSource, row: SessionRow, onProgress?: (events: number) => void): Promise<ReplayModel> {
  const [session, detail] = await Promise.all([source.open(row.id), source.detail(row.id)]);
  const text = new OutputText();
  let bytes = 0;
  let capped = false;
  let readError: SshLogError | null = null;
  // Feeds the player and the search index from one pass, and stops at the memory cap.
  async function* feed(): AsyncIterable<SessionEvent> {
    try {
      for await (const ev of session.events()) {
        if (ev.source === Source.Server) {
          bytes += ev.data.length;
          if (bytes > MAX_BYTES) { capped = true; return; }
          text.push(ev.data, ev.elapsedMicros);
        }
        yield ev;
      }
    } catch (err) {
      if (!(err instanceof SshLogError)) throw err;
      readError = err;
    }
  }
  const player = await TerminalPlayer.fromEvents(session.info, feed(), onProgress ? { onProgress } : {});
  const e: SshLogError | null = readError ?? session.outcome.error;
  const problem = capped
    ? { code: "ERR_LIMIT", message: `This recording prints more than ${MAX_BYTES / 1024 / 1024} MB; the replay stops there.` }
    : e ? { code: e.code, message: `${e.message} The replay shows what was read before it.` } : null;
  const placed = (await source.replayCommands?.(row.id)) ?? null;
  const listed = placed ?? (detail.commands.length > 0
    ? detail.commands
    : player.commands.map((c) => ({ atMicros: c.atMicros, text: c.text, risky: isRisky(c.text) })));
  // Land where the command line shows: when a line was sent whole (Logpush input events), its
  // echo comes a moment after Enter, and the screen at Enter shows only the prompt.
  const outputTimes = player.events.map((ev) => ev.elapsedMicros);
  const commands = listed.map((c) => ({ ...c, atMicros: landing(outputTimes, c.atMicros) }));
  let disposed = false;
  return {
    cols: player.cols,
    rows: player.rows,
    duration: player.duration,
    commands,
    outputTimes,
    problem,
    async seek(micros) {
      if (disposed) return { lines: [], cursorX: 0, cursorY: 0 };
      // Playing forward only applies the new events; anything else restores a snapshot first.
      if (micros >= player.time) await player.advanceTo(micros);
      else await player.seek(micros);
      const s = player.screen();
      const buffer = player.emu.term.buffer.active;
      const runs: Run[][] = [];
      for (let y = 0; y < player.rows; y++) {
        const line = buffer.getLine(buffer.baseY + y);
        runs.push(line ? runsOfLine(line, player.cols) : []);
      }
      return { lines: s.lines, runs, cursorX: s.cursorX, cursorY: s.cursorY };
    },
    search: (query) => text.search(query),
    dispose() {
      disposed = true;
      player.dispose();
    },
  };
}

/** The first output at or after `micros` when it comes within a quarter second, else `micros`. */
function landing(times: readonly number[], micros: number): number {
  const t = times[partitionPoint(times.length, (i) => times[i]! < micros)];
  return t !== undefined && t - micros <= 250_000 ? t : micros;
}
