import type { Command } from "commander";
import type { CliIo } from "../io.js";
import { reportBatchExit } from "./export.js";
import { DECRYPT_SWAP_ADVICE } from "./decrypt.js";

/**
 * `ssh-log decrypt` with many logs: one zip each (into -o DIR, or beside each log), a progress bar
 * on a terminal, and a summary of what was complete, partial and failed.
 */
export async function decryptMany(keyPath: string, inputs: string[], flags: { output?: string; json?: boolean }, io: CliIo, cmd: Command): Promise<void> {
  const { decryptBatch } = await import("../../lib/outputs/decrypt-batch.js");
  const { formatSummary } = await import("../../lib/outputs/batch.js");
  const summary = await decryptBatch(keyPath, inputs, {
    outDir: flags.output ?? null,
    progress: io.stderr.isTTY && !flags.json ? io.stderr : null,
    warn: (m) => io.err(m),
    swapAdvice: DECRYPT_SWAP_ADVICE,
  });
  if (flags.json) {
    io.out(JSON.stringify({ ok: summary.ok, partial: summary.partial, failed: summary.failed, items: summary.items }));
  } else {
    for (const line of formatSummary(summary, "Decrypted")) io.err(line);
  }
  reportBatchExit(cmd, summary);
}
