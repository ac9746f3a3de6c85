/**
 * Reads one session through the terminal analyser (lib/terminal) for what the viewer lists about
 * it: the commands typed with their times, its real length, and whether it read to the end.
 */
import { SshLogError } from "../../lib/errors.js";
import type { Session } from "../../lib/session/model.js";
import { analyzeEvents } from "../../lib/terminal/analyzer.js";
import { isRisky } from "../logic/risky.js";
import type { CommandEntry } from "../source.js";
import type { SessionIndex } from "./file-source.js";

/**
 * The commands, length and damage of a session (reads it once, to the end).
 *
 * @example const { commands } = await indexSession(await openCaptureFile("s.log", "sshkey"));
 */
export async function indexSession(session: Session): Promise<SessionIndex> {
  const { pty, command } = session.info;
  const commands: CommandEntry[] = [];
  if (pty === null && command !== null) commands.push({ atMicros: 0, text: command, risky: isRisky(command) });
  let last = 0;
  try {
    const items = analyzeEvents(session.events(), { cols: pty?.width ?? 80, rows: pty?.height ?? 24, pty: pty !== null });
    for await (const item of items) {
      if (item.type === "event") last = Math.max(last, item.event.elapsedMicros);
      else if (item.type === "command" && item.mark.text.trim() !== "") {
        commands.push({ atMicros: item.mark.atMicros, text: item.mark.text, risky: !item.mark.masked && isRisky(item.mark.text) });
      }
    }
  } catch (err) {
    if (!(err instanceof SshLogError)) throw err;
    return { commands, durationMicros: last, problem: { code: err.code, message: err.message } };
  }
  const e = session.outcome.error;
  return { commands, durationMicros: last, problem: e ? { code: e.code, message: e.message } : null };
}
