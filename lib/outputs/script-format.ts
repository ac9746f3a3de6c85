import type { ExitData, Pty } from "../format/header.js";

/**
 * The classic `script` typescript and timing lines, exactly as ssh-log-cli writes them
 * (FORMAT.md, "The reference decoder's output").
 */

function pad(n: number): string { return n < 10 ? `0${n}` : String(n); }

/** Unix seconds as `YYYY-MM-DD HH:MM:SS+00` (UTC). */
export function formatScriptTime(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}+00`;
}

/**
 * The first line of term_data.txt.
 *
 * @example sessionStartLine(1773273918, pty) // 'Session started on 2026-03-12 00:05:18+00 [TERM="xterm" COLUMNS="80" LINES="24"]\n'
 */
export function sessionStartLine(startedAt: number, pty: Pty): string {
  return `Session started on ${formatScriptTime(startedAt)} [TERM="${pty.term ?? "unknown"}" COLUMNS="${pty.width}" LINES="${pty.height}"]\n`;
}

/** The last line of term_data.txt, chosen by the exit record. */
export function sessionEndLine(exit: ExitData | null): string {
  if (exit === null) return "\nSession has no termination data\n";
  const ts = formatScriptTime(exit.timestamp);
  if (exit.errorMessage !== null) return `\nScript done on ${ts} [ERROR="${exit.errorMessage}"]\n`;
  if (exit.coreDumped) return `\nScript done on ${ts} [CORE DUMPED]\n`;
  return `\nScript done on ${ts} [COMMAND_EXIT_CODE="${exit.status ?? 0}"]\n`;
}

const F32_MILLION = Math.fround(1_000_000);

/**
 * A timing delay as ssh-log-cli prints it: `f32(gap_us) / f32(1e6)` in IEEE binary32, printed
 * with six decimals, ties to even as Rust's formatter does. (Division done in binary64 and then
 * rounded once to binary32 equals the binary32 division: binary64 has more than 2x24+2 bits.)
 *
 * @example formatDelay(123456789) === "123.456795"
 */
export function formatDelay(gapMicros: number): string {
  const v = Math.fround(Math.fround(gapMicros) / F32_MILLION);
  // A binary32 value is a tie at the 7th decimal exactly when v*128 is an odd integer; toFixed
  // rounds ties up, Rust to even. Everything else toFixed rounds exactly.
  const t = v * 128;
  if (Number.isInteger(t) && t % 2 === 1) {
    let q = Math.floor(t * 7812.5); // v * 1e6, exact
    if (q % 2 === 1) q += 1;
    const s = String(q).padStart(7, "0");
    return `${s.slice(0, -6)}.${s.slice(-6)}`;
  }
  return v.toFixed(6);
}

/**
 * Turns a stream of server-output times into term_times.txt lines.
 *
 * @example const t = new TimingWriter(); t.line(71181, 83) === "0.071181 83\n"
 */
export class TimingWriter {
  private previous = 0;

  /** The line for an output packet at `elapsedMicros` carrying `bytes` bytes. */
  line(elapsedMicros: number, bytes: number): string {
    // Times never decrease in a conforming file; a hostile one is clamped rather than wrapped.
    const gap = elapsedMicros >= this.previous ? elapsedMicros - this.previous : 0;
    this.previous = elapsedMicros;
    return `${formatDelay(gap)} ${bytes}\n`;
  }
}
