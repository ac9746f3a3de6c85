import { Source, type ExitData, type Session, type SessionEvent, type SessionInfo } from "../session/model.js";
import { analyzeEvents } from "../terminal/analyzer.js";
import { Emulator } from "../terminal/emulator.js";
import type { Sink } from "./output-target.js";

/** One command of a session, as `export --format commands` prints it (one JSON line each). */
export interface CommandRecord {
  /** When it was submitted (Enter pressed), ISO 8601 UTC. */
  startedAtIso: string;
  /** The same moment, seconds since the session started (microsecond precision). */
  offsetSeconds: number;
  /** The line as finally submitted, without the prompt; null for an exec session whose input does not record its command. */
  command: string | null;
  /** True when the line was typed with echo off or after a password prompt: `command` is then "*"s. */
  masked: boolean;
  /** Bytes of output between the command's line and the next prompt. */
  outputBytes: number;
  /** The first lines of that output, rendered through the terminal emulator. */
  outputFirstLines: string[];
  /** How the session's program ended: exec sessions only. */
  exit?: { status: number | null; signal: string | null; coreDumped: boolean; errorMessage: string | null };
}

export interface CommandOptions {
  /** How many output lines to keep per command (default 5). */
  firstLines?: number;
}

const HEAD = 64 * 1024;
const MAX_LINE_FEEDS = 200;
const RESET = Uint8Array.of(0x18, 0x1b, 0x63);

function iso(info: SessionInfo, micros: number): string {
  return new Date(Math.round(info.startedAt * 1000 + micros / 1000)).toISOString();
}

function exitOf(e: ExitData | null): CommandRecord["exit"] | undefined {
  return e ? { status: e.status, signal: e.signal, coreDumped: e.coreDumped, errorMessage: e.errorMessage } : undefined;
}

/** True when bytes look like a binary stream rather than text (NULs, or mostly controls). */
function looksBinary(b: Uint8Array): boolean {
  let odd = 0;
  for (const x of b) {
    if (x === 0) return true;
    if (x < 0x20 && x !== 0x0a && x !== 0x0d && x !== 0x09 && x !== 0x1b && x !== 0x08) odd++;
  }
  return odd * 10 > b.length;
}

/**
 * Queues output bytes on the scratch emulator after a full reset, and hands `done` their first `n`
 * lines once the emulator has parsed them (call `settle` to wait for that).
 */
function renderFirstLines(scratch: Emulator, bytes: Uint8Array, n: number, done: (lines: string[]) => void): void {
  if (n <= 0 || bytes.length === 0 || looksBinary(bytes)) { done([]); return; }
  // The first lines need only the start of the output (with room for lines later redrawn).
  const enough = Math.min(MAX_LINE_FEEDS, n * 4 + 10);
  let cut = bytes.length;
  let feeds = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a && ++feeds >= enough) { cut = i + 1; break; }
  scratch.feed(RESET); // CAN ends anything half-parsed; ESC c resets the terminal and clears it
  scratch.feed(bytes.subarray(0, cut));
  scratch.at(() => {
    const lines = scratch.normalLines(MAX_LINE_FEEDS);
    while (lines.length > 0 && lines[0]!.trim() === "") lines.shift();
    done(lines.slice(0, n));
  });
}

/** Renders output bytes through a scratch emulator and returns its first `n` non-trailing lines. */
async function firstLines(scratch: Emulator, bytes: Uint8Array, n: number): Promise<string[]> {
  if (n <= 0 || bytes.length === 0 || looksBinary(bytes)) return [];
  let cut = bytes.length;
  let feeds = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a && ++feeds >= MAX_LINE_FEEDS) { cut = i + 1; break; }
  await scratch.reset();
  scratch.feed(bytes.subarray(0, cut));
  await scratch.settle();
  const lines = scratch.normalLines(MAX_LINE_FEEDS);
  while (lines.length > 0 && lines[0]!.trim() === "") lines.shift();
  return lines.slice(0, n);
}

/**
 * The commands of a session, streamed in order. For a PTY session: each line submitted at a shell
 * prompt, read from the emulated screen at the moment Enter was pressed (so backspaces, arrow-key
 * edits, history and tab completion are resolved), without the prompt; lines typed with echo off or
 * after a password prompt are masked. For an exec session: its one command, with the session's exit.
 * The audit store fills its `commands` table from this.
 *
 * @example
 *   for await (const c of extractCommands(await openSession("s.log", { keyPath: "sshkey" }))) console.log(c.command);
 */
export async function* extractCommands(session: Session, opts: CommandOptions = {}): AsyncIterable<CommandRecord> {
  yield* extractCommandsFrom(session.info, session.events(), opts);
}

/**
 * The same, from metadata and an event stream (for callers that hold events, not a Session).
 *
 * @example for await (const c of extractCommandsFrom(row.info, eventsFromDb(row))) insert(c);
 */
export async function* extractCommandsFrom(info: SessionInfo, events: AsyncIterable<SessionEvent>, opts: CommandOptions = {}): AsyncIterable<CommandRecord> {
  const n = opts.firstLines ?? 5;
  const cols = info.pty?.width || 80;
  const scratch = await Emulator.create({ cols, rows: 50, scrollback: MAX_LINE_FEEDS + 10, convertEol: info.pty === null });
  try {
    if (info.pty === null) {
      let bytes = 0;
      const head: Buffer[] = [];
      let headBytes = 0;
      for await (const ev of events) {
        if (ev.source !== Source.Server) continue;
        bytes += ev.data.length;
        if (headBytes < HEAD) { head.push(Buffer.from(ev.data.subarray(0, HEAD - headBytes))); headBytes += Math.min(ev.data.length, HEAD - headBytes); }
      }
      const at = 0;
      const rec: CommandRecord = {
        startedAtIso: iso(info, at), offsetSeconds: at, command: info.command, masked: false, outputBytes: bytes,
        outputFirstLines: await firstLines(scratch, Buffer.concat(head), n),
      };
      const exit = exitOf(info.exit);
      if (exit) rec.exit = exit;
      yield rec;
      return;
    }
    const open = new Map<number, CommandRecord>();
    // Finished records wait here while the scratch emulator renders their output: one settle for
    // many commands, not one per command.
    let done: CommandRecord[] = [];
    for await (const item of analyzeEvents(events, { cols, rows: info.pty.height || 24, pty: true })) {
      if (item.type === "command") {
        const m = item.mark;
        open.set(m.id, { startedAtIso: iso(info, m.atMicros), offsetSeconds: m.atMicros / 1e6, command: m.text, masked: m.masked, outputBytes: 0, outputFirstLines: [] });
      } else if (item.type === "output") {
        const rec = open.get(item.output.id);
        if (!rec) continue;
        open.delete(item.output.id);
        rec.outputBytes = item.output.outputBytes;
        renderFirstLines(scratch, item.output.head, n, (lines) => { rec.outputFirstLines = lines; });
        done.push(rec);
        if (done.length >= 128) {
          await scratch.settle();
          yield* done;
          done = [];
        }
      }
    }
    await scratch.settle();
    yield* done;
  } finally {
    scratch.dispose();
  }
}

/**
 * Writes the commands as JSON lines.
 *
 * @example const { commands } = await writeCommandsJsonl(session, new Sink(process.stdout));
 */
export async function writeCommandsJsonl(session: Session, sink: Sink, opts: CommandOptions = {}): Promise<{ commands: number }> {
  let commands = 0;
  for await (const c of extractCommands(session, opts)) {
    await sink.write(`${JSON.stringify(c)}\n`);
    commands++;
  }
  return { commands };
}
