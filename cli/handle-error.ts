import { CommanderError } from "commander";
import { ErrorCode, SshLogError } from "../lib/errors.js";
import type { CliIo } from "./io.js";

/**
 * Exit codes, documented in the README. One table: every SshLogError code maps to one of them.
 */
export const ExitCode = {
  Ok: 0,
  /** An unexpected failure (a bug): the message asks to report it; --debug shows the stack. */
  Internal: 1,
  /** Wrong use of the command line: unknown flag, missing argument, swapped key and log. */
  Usage: 2,
  /** Partial: the file is cut or altered; everything that authenticated was written. */
  Partial: 3,
  /** The capture was not encrypted for this key: nothing written. */
  WrongKey: 4,
  /** An input is not what it should be: not a capture, not a key, not a zip or .cast. */
  BadInput: 5,
  /** A path is missing, unreadable, or the output cannot be written. */
  Io: 6,
  /** The audit database is locked by another process or failed. */
  Database: 7,
  /** The proxy's upstream or a required external tool failed. */
  External: 8,
  /** Interrupted (Ctrl-C). */
  Interrupted: 130,
} as const;

const TABLE: Record<string, number> = {
  [ErrorCode.Usage]: ExitCode.Usage,
  [ErrorCode.SwappedArguments]: ExitCode.Usage,
  [ErrorCode.NoTty]: ExitCode.Usage,
  [ErrorCode.BlockAuth]: ExitCode.Partial,
  [ErrorCode.Truncated]: ExitCode.Partial,
  [ErrorCode.BadPacket]: ExitCode.Partial,
  [ErrorCode.Limit]: ExitCode.Partial,
  [ErrorCode.WrongKey]: ExitCode.WrongKey,
  [ErrorCode.EmptyFile]: ExitCode.BadInput,
  [ErrorCode.BadHeader]: ExitCode.BadInput,
  [ErrorCode.BadKey]: ExitCode.BadInput,
  [ErrorCode.BadInput]: ExitCode.BadInput,
  [ErrorCode.NotFound]: ExitCode.Io,
  [ErrorCode.Unreadable]: ExitCode.Io,
  [ErrorCode.IsDirectory]: ExitCode.Io,
  [ErrorCode.Output]: ExitCode.Io,
  [ErrorCode.OutputExists]: ExitCode.Io,
  [ErrorCode.DatabaseLocked]: ExitCode.Database,
  [ErrorCode.Database]: ExitCode.Database,
  [ErrorCode.Upstream]: ExitCode.External,
  [ErrorCode.MissingTool]: ExitCode.External,
  [ErrorCode.Internal]: ExitCode.Internal,
};

/** The exit code for an error code. */
export function exitCodeFor(code: string): number {
  return TABLE[code] ?? ExitCode.Internal;
}

/**
 * The one place that turns an error into a message and an exit code: one plain sentence on
 * stderr (with its code), the stack only with --debug.
 */
export function handleError(err: unknown, io: CliIo, debug: boolean): number {
  if (err instanceof CommanderError) {
    if (err.exitCode === 0) return ExitCode.Ok; // --help, --version
    // commander already printed its message through configureOutput
    return ExitCode.Usage;
  }
  if (err instanceof SshLogError) {
    io.err(`ssh-log: ${err.message} [${err.code}]`);
    if (debug && err.stack) io.err(err.stack);
    return exitCodeFor(err.code);
  }
  const e = err instanceof Error ? err : new Error(String(err));
  io.err(`ssh-log: unexpected error: ${e.message}. This is a bug; please report it with the output of the same command run with --debug. [${ErrorCode.Internal}]`);
  if (debug && e.stack) io.err(e.stack);
  return ExitCode.Internal;
}
