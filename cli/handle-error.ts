import { type Command, CommanderError, type Option } from "commander";
import { ErrorCode, SshLogError, UsageError } from "../lib/errors.js";
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
    // `help` printed with an error (e.g. `help nosuchcommand`); parse errors arrive as UsageError
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

/**
 * Commander's own parse errors (unknown option or command, missing argument or option value, bad
 * choice, too many arguments) as one UsageError sentence in the project's form, naming the command
 * and its --help; a "did you mean" only for a close typo. Help and --version pass through.
 *
 * @example program.exitOverride((err) => { throw usageErrorFromCommander(err, program); });
 *   // "export has no option --bogus; see ssh-log export --help."
 */
export function usageErrorFromCommander(err: CommanderError, cmd: Command): Error {
  if (err.exitCode === 0 || err.code === "commander.help") return err; // help and --version were printed
  const who = cmd.parent ? cmd.name() : "ssh-log";
  const help = cmd.parent ? `ssh-log ${cmd.name()} --help` : "ssh-log --help";
  const quoted = [...err.message.matchAll(/'([^']*)'/g)].map((m) => m[1]!);
  const option = cmd.options.find((o) => o.flags === quoted[0]);
  const names = option ? [option.short, option.long].filter(Boolean).join("/") : quoted[0];
  const choices = option?.argChoices ? `one of ${option.argChoices.join(", ")}` : "";
  let sentence: string;
  switch (err.code) {
    case "commander.unknownOption": {
      const flag = quoted[0] ?? "";
      const longs: string[] = [];
      for (let c: Command | null = cmd; c; c = c.parent) longs.push(...c.options.map((o: Option) => o.long ?? ""));
      const dym = didYouMean(flag, longs);
      sentence = cmd.parent ? `${who} has no option ${flag}${dym}; see ${help}.` : `${flag} is not an ssh-log option${dym}; see ${help}.`;
      break;
    }
    case "commander.unknownCommand": {
      const name = quoted[0] ?? "";
      sentence = `${name} is not an ssh-log command${didYouMean(name, cmd.commands.map((c) => c.name()))}; see ${help}.`;
      break;
    }
    case "commander.missingArgument":
      sentence = `${who} needs its <${quoted[0]}> argument; see ${help}.`;
      break;
    case "commander.missingMandatoryOptionValue":
      sentence = `${who} needs ${names}${choices ? ` (${choices})` : ""}; see ${help}.`;
      break;
    case "commander.optionMissingArgument":
      sentence = `${who} ${names} needs a value${choices ? ` (${choices})` : ""}; see ${help}.`;
      break;
    case "commander.excessArguments": {
      const wanted = cmd.registeredArguments.map((a) => (a.required ? `<${a.name()}>` : `[${a.name()}]`));
      const takes = wanted.length === 0 ? "takes no arguments" : `takes ${wanted.length} argument${wanted.length === 1 ? "" : "s"} (${wanted.join(" ")})`;
      sentence = `${who} ${takes} but was given ${cmd.args.length} (${cmd.args.join(" ")}); see ${help}.`;
      break;
    }
    default:
      if (err.code === "commander.invalidArgument" && option?.argChoices && quoted[1] !== undefined) {
        sentence = `${who} ${names} cannot be ${quoted[1]}${didYouMean(quoted[1], option.argChoices)}; use ${choices}.`;
      } else { // anything else keeps commander's wording, made one line
        sentence = `${cmd.parent ? `${who}: ` : ""}${err.message.replace(/^error: /, "").split("\n")[0]!.replace(/\.$/, "")}; see ${help}.`;
      }
  }
  return new UsageError(sentence, { cause: err });
}

/** " (did you mean --format?)" when `word` is one edit from a candidate (two for long words), else "". */
function didYouMean(word: string, candidates: readonly string[]): string {
  const allowed = word.length >= 8 ? 2 : 1;
  const close = candidates.filter((c) => c.length > 1 && c !== word && editDistance(word, c) <= allowed);
  return close.length === 1 ? ` (did you mean ${close[0]}?)` : "";
}

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i]!;
      row[j] = Math.min(d[i - 1]![j]! + 1, row[j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}
