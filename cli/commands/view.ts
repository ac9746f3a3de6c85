import type { Command } from "commander";
import type { CliIo } from "../io.js";
import { ExitCode } from "../handle-error.js";
import { setExitCode } from "./index.js";

/**
 * `ssh-log view`: the terminal UI for auditors (list, filter, detail, replay).
 *
 * @example registerView(program, processIo())
 */
export function registerView(program: Command, io: CliIo): void {
  program
    .command("view")
    .description("browse, filter, search and replay sessions in the terminal (the audit database, or recordings straight from files)")
    .argument("[path]", "an audit database (.duckdb), a folder of recordings, or one recording", undefined)
    .option("-i, --identity <file>", "a private key, to read encrypted recordings (repeat for several keys)", (v: string, all: string[]) => [...all, v], [] as string[])
    .option("-f, --filter <text>", "start with this filter (e.g. \"root rm -rf\")")
    .addHelpText("after", `
With no path it opens ./ssh-audit.duckdb. Press ? inside for every key. Needs an interactive
terminal; in scripts use ssh-log query, report or export.`)
    .action(async (path: string | undefined, flags: { identity: string[]; filter?: string }, cmd: Command) => {
      // With CI set in the environment, Ink draws nothing until exit and chalk drops colour (both
      // decide when they load). On a real terminal the user asked for the interactive UI, so
      // remove the markers before they load; NO_COLOR still turns colour off.
      if (io.stdout.isTTY) {
        delete process.env.CI;
        delete process.env.CONTINUOUS_INTEGRATION;
      }
      const { runViewer } = await import("../../viewer/run-viewer.js");
      const r = await runViewer({ path, keyPaths: flags.identity, filter: flags.filter, stdout: io.stdout, stdin: io.stdin, stderr: io.stderr, env: io.env });
      if (r.signal !== null) setExitCode(cmd, ExitCode.Interrupted);
    });
}
