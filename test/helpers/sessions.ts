import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { newOutcome, sessionOf, type Session, type SessionEvent, type SessionInfo } from "../../lib/session/model.js";

/** fixtures/terminal: real bash, vim and password-prompt sessions (scripts/record-terminal-fixtures.js). */
export const TERMINAL_DIR = fileURLToPath(new URL("../../fixtures/terminal/", import.meta.url));
export const terminalCast = (name: "readline" | "fullscreen" | "sudo"): string => join(TERMINAL_DIR, `${name}.cast`);
/** fixtures/logpush: the Logpush sample (ssh_logs NDJSON, gzipped, one folder per day). */
export const LOGPUSH_DIR = fileURLToPath(new URL("../../fixtures/logpush/", import.meta.url));

/**
 * Writes an asciicast v2 file of an 80x24 terminal holding these [seconds, "i" | "o", text] events;
 * returns its path.
 *
 * @example const cast = writeCast(join(dir, "s.cast"), [[0.1, "o", "$ "]]);
 */
export function writeCast(path: string, events: Array<[number, "i" | "o", string]>): string {
  writeFileSync(path, `${[{ version: 2, width: 80, height: 24 }, ...events].map((l) => JSON.stringify(l)).join("\n")}\n`);
  return path;
}

/**
 * A Session from a list of [seconds, "i" | "o", text] steps: synthetic sessions for the cases
 * the recorded fixtures do not cover (pastes, type-ahead, odd bytes).
 */
export function syntheticSession(steps: Array<[number, "i" | "o", string]>, info: Partial<SessionInfo> = {}): Session {
  const events: SessionEvent[] = steps.map(([t, k, d]) => ({ source: k === "i" ? 0 : 1, code: 0, elapsedMicros: Math.round(t * 1e6), data: Buffer.from(d, "utf8") }));
  const outcome = newOutcome();
  async function* read(): AsyncGenerator<SessionEvent[], void, undefined> { outcome.events = events.length; outcome.complete = true; yield events; }
  return sessionOf({
    info: { kind: "asciicast", path: "synthetic.cast", startedAt: 1773273918, pty: { term: "xterm-256color", width: 80, height: 24, modes: [] }, exit: null, command: null, extra: {}, ...info },
    outcome, read,
  });
}
