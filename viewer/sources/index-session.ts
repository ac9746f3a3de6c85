/**
 * Reads one session through the project's command extraction (lib/outputs/commands.ts) for what
 * the viewer lists about it: the commands typed with their times, its real length, and whether it
 * read to the end.
 */
import { SshLogError } from "../../lib/errors.js";
import type { Session, SessionEvent } from "../../lib/session/model.js";
import { extractCommandsFrom } from "../../lib/outputs/commands.js";
import { isRisky } from "../logic/risky.js";
import type { CommandEntry } from "../source.js";
import type { SessionIndex } from "./file-source.js";

/**
 * The commands, length and damage of a session (reads it once, to the end).
 *
 * @example const { commands } = await indexSession(await openSession("s.log", { keyPath: "sshkey" }));
 */
export async function indexSession(session: Session): Promise<SessionIndex> {
  const commands: CommandEntry[] = [];
  let last = 0;
  async function* timed(): AsyncIterable<SessionEvent> {
    for await (const ev of session.events()) {
      if (ev.elapsedMicros > last) last = ev.elapsedMicros;
      yield ev;
    }
  }
  try {
    for await (const c of extractCommandsFrom(session.info, timed(), { firstLines: 0 })) {
      if (c.command === null || c.command.trim() === "") continue;
      commands.push({ atMicros: Math.round(c.offsetSeconds * 1e6), text: c.command, risky: !c.masked && isRisky(c.command) });
    }
  } catch (err) {
    if (!(err instanceof SshLogError)) throw err;
    return { commands, durationMicros: last, problem: { code: err.code, message: err.message } };
  }
  const e = session.outcome.error;
  return { commands, durationMicros: last, problem: e ? { code: e.code, message: e.message } : null };
}
