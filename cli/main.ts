import { Command, Option } from "commander";
import { handleError, usageErrorFromCommander } from "./handle-error.js";
import { type CliIo, processIo, withVisibleControls } from "./io.js";
import { registerCommands } from "./commands/index.js";

/** The version printed by --version (kept in step with package.json by the release step). */
export const VERSION = "0.1.0";

/**
 * Builds the commander program. Commands register themselves (cli/commands/*.ts); their actions
 * import the heavy libraries lazily, so `ssh-log --help` and `ssh-log decrypt` start fast.
 */
export function buildProgram(io: CliIo): Command {
  const program = new Command("ssh-log")
    .description("Encrypted SSH session logs: keygen, decrypt (byte-identical to ssh-log-cli), inspect, record, replay, export, audit.")
    .version(VERSION, "-V, --version")
    .addOption(new Option("--debug", "print stack traces with errors"));
  registerCommands(program, io);
  // commander's parse errors become one UsageError sentence (handle-error.ts) instead of its own text
  for (const c of [program, ...program.commands]) {
    c.showSuggestionAfterError(false)
      .configureOutput({ writeOut: (s) => { io.stdout.write(s); }, writeErr: (s) => { io.stderr.write(s); }, outputError: () => {} })
      .exitOverride((err) => { throw usageErrorFromCommander(err, c); });
  }
  return program;
}

/**
 * Runs the CLI with `argv` (without node and the script) and returns the exit code; never calls
 * process.exit. Tests call it in-process with a captured CliIo.
 *
 * @example process.exitCode = await run(["decrypt", "-i", "sshkey", "-l", "session.log"]);
 */
export async function run(argv: string[], given: CliIo = processIo()): Promise<number> {
  const io = withVisibleControls(given);
  const program = buildProgram(io);
  const debug = argv.includes("--debug");
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return 0;
    }
    await program.parseAsync(argv, { from: "user" });
    const code = (program as Command & { sshLogExitCode?: number }).sshLogExitCode;
    return code ?? 0;
  } catch (err) {
    return handleError(err, io, debug);
  }
}
