import { UsageError } from "../../lib/errors.js";

/**
 * The Logpush export a command reads, or undefined when its paths are session files: --logpush
 * PATH, or with --session the one path given (`export export.log.gz --session ID` names the export
 * it is). `files` names the session files in the message for giving both ("session files").
 *
 * @example logpushPath({ session: "5fbec211-0" }, ["export.log.gz"], "a session file") === "export.log.gz"
 */
export function logpushPath(flags: { logpush?: string; session?: string }, paths: string[], files: string): string | undefined {
  if (flags.logpush !== undefined) {
    if (paths.length > 0) throw new UsageError(`Give either --logpush PATH or ${files}, not both.`);
    return flags.logpush;
  }
  if (flags.session === undefined) return undefined;
  if (paths.length === 1) return paths[0];
  throw new UsageError("--session picks a session inside a Logpush export; give the export with --logpush PATH.");
}
