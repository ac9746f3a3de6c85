import type { Command } from "commander";
import { ErrorCode } from "../../lib/errors.js";
import type { CliIo } from "../io.js";
import { setExitCode } from "./index.js";
import { ExitCode } from "../handle-error.js";

/** `ssh-log inspect`: what the cleartext header and framing say, without a key. */
export function registerInspect(program: Command, io: CliIo): void {
  program
    .command("inspect")
    .description("show what a session log's cleartext header says (start, PTY, exit) and check its block framing; no key needed")
    .argument("<log>", "the encrypted session log")
    .option("--json", "print the result as JSON")
    .action(async (log: string, flags: { json?: boolean }, cmd: Command) => {
      const { inspectCapture } = await import("../../lib/session/inspect-capture.js");
      const { formatInspection, inspectionToJson } = await import("../../lib/outputs/inspection.js");
      const r = await inspectCapture(log);
      if (flags.json) io.out(JSON.stringify(inspectionToJson(r), null, 2));
      else io.out(formatInspection(r));
      // partial, as decrypt reports it: the report on stdout, the one-sentence error on stderr
      const problem = r.truncation ? { code: ErrorCode.Truncated, message: r.truncation.message } : r.problem;
      if (problem) {
        io.err(`ssh-log: ${problem.message} [${problem.code}]`);
        setExitCode(cmd, ExitCode.Partial);
      }
    });
}
