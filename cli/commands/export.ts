import { Option, type Command } from "commander";
import { UsageError } from "../../lib/errors.js";
import type { CliIo } from "../io.js";
import { ExitCode, exitCodeFor } from "../handle-error.js";
import { setExitCode } from "./index.js";
import { logpushPath } from "./logpush-path.js";

interface ExportFlags {
  identity?: string;
  log?: string[];
  logpush?: string;
  session?: string;
  format: "cast" | "text" | "commands" | "typescript";
  output?: string;
}

/** `ssh-log export`: a session as asciicast, plain text, its commands, or the script typescript pair. */
export function registerExport(program: Command, io: CliIo): void {
  program
    .command("export")
    .description("write a session as an asciicast (.cast), a plain-text transcript, its commands (JSON lines) or a script typescript")
    .argument("[inputs...]", "sessions to export: encrypted captures (with -i KEY), decrypted zips, .cast files")
    .addOption(new Option("-f, --format <format>", "what to write").choices(["cast", "text", "commands", "typescript"]).makeOptionMandatory())
    .option("-i, --identity <file>", "the private key, for encrypted captures")
    .option("-l, --log <files...>", "sessions to export (globs such as 'logs/*.log' are expanded)")
    .option("--logpush <path>", "a Logpush ssh_logs export (file or folder) to read the session from")
    .option("--session <id>", "with --logpush: the SessionID or ProgramID to export")
    .option("-o, --output <path>", "the file to write (default: stdout), or a folder to write it into; a folder for typescript and for many inputs")
    .addHelpText("after", `
Examples:
  ssh-log export -i sshkey -l session.log -f cast -o session.cast      # plays in asciinema
  ssh-log export -i sshkey -l session.log -f text | grep -n sudo
  ssh-log export -i sshkey -l session.log -f commands                  # one JSON line per command
  ssh-log export -l session.log-decrypted.zip -f typescript -o ts/     # term_data.txt + term_times.txt
  ssh-log export --logpush ssh_logs/20261001 --session 5fbec211-0 -f cast -o s.cast
  ssh-log export -i sshkey -l 'logs/*.log' -f cast -o casts/           # many at once

Input typed after a password prompt, or while the server did not echo it, is replaced by "*".
Exit codes: 0 done; 3 partial (some files, or part of one, could not be read); 2 usage; 4 wrong key;
5 not a session; 6 missing path or unwritable output.`)
    .action(async (args: string[], flags: ExportFlags, cmd: Command) => {
      const patterns = [...(flags.log ?? []), ...args];
      const logpush = logpushPath(flags, patterns, "session files");
      if (logpush === undefined && patterns.length === 0) throw new UsageError("No session given; pass it with -l LOG (and -i KEY for an encrypted capture).");
      const { expandInputs, hasGlob, namesFolder } = await import("../../lib/outputs/batch.js");
      const named = logpush !== undefined ? [logpush] : patterns;
      const inputs = logpush !== undefined ? named : await expandInputs(named);
      const { exportSession, EXPORT_SUFFIX } = await import("../../lib/outputs/export-session.js");
      const { openSession } = await import("../../lib/session/open-any.js");
      const open = (path: string) => openSession(path, {
        keyPath: flags.identity, warn: (m) => io.err(m), swapAdvice: "-i KEY -l LOG",
        ...(logpush !== undefined ? { logpush: true, logpushSession: flags.session } : {}),
      });

      // -o naming a folder (an existing one, or "out/") for one session: its file goes into it, as
      // for many. A typescript's -o is its folder already; an -o ending in the format's suffix
      // always names the file itself.
      const out = flags.output;
      const toFolder = flags.format !== "typescript" && out !== undefined && out !== "-" && !out.endsWith(EXPORT_SUFFIX[flags.format])
        && (await namesFolder(out));
      if (inputs.length === 1 && !named.some(hasGlob) && !toFolder) {
        const session = await open(inputs[0]!);
        // A reader that goes away (`| head`) needs nothing here: bin/ssh-log.js exits quietly on EPIPE.
        let r;
        try {
          r = await exportSession(session, flags.format, flags.output ?? null, io.stdout);
        } finally {
          await session.close();
        }
        const error = r.outcome.error;
        if (error) {
          io.err(`ssh-log: ${error.message} [${error.code}]`);
          io.err(`Exported what could be read (${r.detail})${r.output ? ` to ${r.output}` : ""}.`);
          setExitCode(cmd, exitCodeFor(error.code) || ExitCode.Partial);
          return;
        }
        for (const w of r.outcome.warnings) io.err(`ssh-log: warning: ${w.message}`);
        if (r.output !== null && r.output !== "-") io.err(`Exported ${inputs[0]} as ${flags.format} (${r.detail}) to ${r.output}.`);
        return;
      }

      if (flags.output === undefined || flags.output === "-") {
        throw new UsageError(`${inputs.length} inputs were given; name a folder for their ${flags.format} files with -o DIR.`);
      }
      const { makeOutputFolder } = await import("../../lib/outputs/atomic-file.js");
      await makeOutputFolder(flags.output, "output folder", "choose another -o folder");
      const { formatSummary, outputNames, runBatch } = await import("../../lib/outputs/batch.js");
      const outs = outputNames(inputs, flags.output, EXPORT_SUFFIX[flags.format]);
      const summary = await runBatch(inputs, async (input, i) => {
        const session = await open(input);
        // Closed even when the export fails before reading it: a long batch must not pile up open files.
        const r = await exportSession(session, flags.format, outs[i]!, io.stdout).finally(() => session.close());
        const e = r.outcome.error;
        return { output: outs[i]!, status: e ? "partial" : "ok", error: e ? { code: e.code, message: e.message } : null, detail: r.detail };
      }, { progress: io.stderr.isTTY ? io.stderr : null });
      for (const line of formatSummary(summary, "Exported")) io.err(line);
      reportBatchExit(cmd, summary);
    });
}

/** A batch's exit code: the worst failure's, else 3 when something was partial, else 0. */
export function reportBatchExit(cmd: Command, summary: { items: Array<{ status: string; error: { code: string } | null }> }): void {
  let code = 0;
  for (const i of summary.items) {
    if (i.status === "failed" && i.error) code = Math.max(code, exitCodeFor(i.error.code));
    if (i.status === "partial") code = Math.max(code, ExitCode.Partial);
  }
  if (code > 0) setExitCode(cmd, code);
}
