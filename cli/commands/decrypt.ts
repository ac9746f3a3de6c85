import type { Command } from "commander";
import { UsageError } from "../../lib/errors.js";
import { blocksAndPackets } from "../../lib/text.js";
import type { CliIo } from "../io.js";
import { ExitCode, exitCodeFor } from "../handle-error.js";
import { setExitCode } from "./index.js";

interface DecryptFlags {
  identity?: string;
  log?: string;
  key?: string;
  input?: string;
  output?: string;
  json?: boolean;
}

/** decrypt's two flag forms, named when the key and the log were swapped. */
export const DECRYPT_SWAP_ADVICE = "-i KEY -l LOG, or -i LOG -k KEY";

/**
 * Resolves both flag forms: ours (`-i KEY -l LOG`) and ssh-log-cli's (`-i LOG -k KEY`): when -k is
 * given, -i is the input log.
 */
export function resolveKeyAndLog(f: DecryptFlags): { keyPath: string; logPath: string } {
  const keyPath = f.key ?? f.identity;
  const logPath = f.key !== undefined ? (f.log ?? f.input ?? f.identity) : (f.log ?? f.input);
  if (f.key !== undefined && f.identity !== undefined && (f.log ?? f.input) !== undefined) {
    throw new UsageError("Give the log once: either -i KEY -l LOG, or ssh-log-cli's -i LOG -k KEY.");
  }
  if (keyPath === undefined) throw new UsageError("No private key given; pass it with -i KEY (or -k KEY).");
  if (logPath === undefined) throw new UsageError("No session log given; pass it with -l LOG (or -i LOG with -k KEY).");
  return { keyPath, logPath };
}

/** `ssh-log decrypt`: the zip ssh-log-cli writes, byte for byte. */
export function registerDecrypt(program: Command, io: CliIo): void {
  program
    .command("decrypt")
    .description("decrypt a session log into the zip ssh-log-cli writes (term_data.txt + term_times.txt, or data_from_client.txt + data_from_server.txt)")
    .option("-i, --identity <file>", "the private key file (with -k: the input log, as ssh-log-cli takes it)")
    .option("-l, --log <file>", "the encrypted session log (or many: -l 'logs/*.log' -o outdir/)")
    .argument("[more...]", "more logs to decrypt in the same run (what the shell makes of -l logs/*.log)")
    .option("-k, --key <file>", "the private key file (ssh-log-cli's flag form: -i LOG -k KEY)")
    .option("--input <file>", "the encrypted session log (ssh-log-cli's long flag)")
    .option("-o, --output <file.zip>", "where to write the zip, or a folder to write it into (default: LOG-decrypted.zip)")
    .option("--json", "print the result as JSON on stdout")
    .addHelpText("after", `
Exit codes: 0 done; 3 partial (cut or altered: the zip holds what authenticated); 4 wrong key
(no zip); 5 not a capture or not a key; 6 missing path or unwritable output; 2 usage.`)
    .action(async (more: string[], flags: DecryptFlags, cmd: Command) => {
      const { keyPath, logPath } = resolveKeyAndLog(flags);
      const batch = await import("../../lib/outputs/batch.js");
      // Many logs, or -o naming a folder (an existing one, or "out/"): one zip each, into it. An -o
      // ending in .zip always names the zip itself (a folder of that name is refused when written).
      const out = flags.output;
      const toFolder = out !== undefined && !out.toLowerCase().endsWith(".zip") && (await batch.namesFolder(out));
      if (more.length > 0 || toFolder || (await batch.isPattern(logPath))) {
        const { decryptMany } = await import("./decrypt-many.js");
        await decryptMany(keyPath, await batch.expandInputs([logPath, ...more]), flags, io, cmd);
        return;
      }
      const { defaultZipPath, writeDecryptedZip } = await import("../../lib/outputs/zip.js");
      const outPath = flags.output ?? defaultZipPath(logPath);
      if (!outPath.toLowerCase().endsWith(".zip")) {
        throw new UsageError(`The output ${outPath} does not end in .zip; name it NAME.zip (ssh-log-cli requires the same).`);
      }
      const { openCaptureFile } = await import("../../lib/session/open-capture-file.js");
      const session = await openCaptureFile(logPath, keyPath, { warn: (m) => io.err(m), swapAdvice: DECRYPT_SWAP_ADVICE });
      const r = await writeDecryptedZip(session, outPath).finally(() => session.close());
      const error = r.outcome.error;
      if (flags.json) {
        io.out(JSON.stringify({
          input: logPath, output: outPath, complete: r.outcome.complete, blocks: r.outcome.blocks,
          packets: r.outcome.events, entries: r.entries, error: error ? error.toJSON() : null,
        }));
      }
      if (error) {
        io.err(`ssh-log: ${error.message} [${error.code}]`);
        io.err(`Wrote what authenticated (${blocksAndPackets(r.outcome)}) to ${outPath}.`);
        setExitCode(cmd, exitCodeFor(error.code) || ExitCode.Partial);
        return;
      }
      if (!flags.json) {
        const sizes = r.entries.map((e) => `${e.name} ${e.bytes} bytes`).join(", ");
        io.err(`Decrypted ${logPath} (${blocksAndPackets(r.outcome)}) to ${outPath}: ${sizes}.`);
      }
    });
}
