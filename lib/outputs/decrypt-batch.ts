import { blocksAndPackets } from "../text.js";
import type { KeyWarning } from "../crypto/keys.js";
import { openCaptureFile } from "../session/open-capture-file.js";
import { type BatchSummary, outputNames, runBatch } from "./batch.js";
import { defaultZipPath, writeDecryptedZip } from "./zip.js";
import { makeOutputFolder } from "./atomic-file.js";

export interface DecryptBatchOptions {
  /** A folder for the zips (created if missing); null: each zip beside its capture. */
  outDir: string | null;
  progress: (NodeJS.WritableStream & { columns?: number }) | null;
  warn?: KeyWarning;
  /** How the caller takes a key and a log, named when they were swapped (see openCaptureFile). */
  swapAdvice?: string;
}

/**
 * Decrypts many captures with one key, each into the zip `decrypt` writes, keeping going past a
 * bad file; returns what succeeded, what was partial and what failed.
 *
 * @example const s = await decryptBatch("sshkey", ["a.log", "b.log"], { outDir: "out", progress: null });
 */
export async function decryptBatch(keyPath: string, inputs: string[], opts: DecryptBatchOptions): Promise<BatchSummary> {
  if (opts.outDir !== null) {
    await makeOutputFolder(opts.outDir, "output folder", "choose another -o folder");
  }
  const outs = opts.outDir === null ? inputs.map(defaultZipPath) : outputNames(inputs, opts.outDir, "-decrypted.zip");
  let warned = false;
  return runBatch(inputs, async (input, i) => {
    // The key's warnings (loose permissions) are the same for every file: say them once.
    const session = await openCaptureFile(input, keyPath, { swapAdvice: opts.swapAdvice, warn: (m) => { if (!warned) opts.warn?.(m); warned = true; } });
    // Closed even when the zip fails before reading it: a long batch must not pile up open files.
    const r = await writeDecryptedZip(session, outs[i]!).finally(() => session.close());
    const e = r.outcome.error;
    const detail = `${blocksAndPackets(r.outcome)}, ${r.entries.map((x) => `${x.name} ${x.bytes} bytes`).join(", ")}`;
    return { output: outs[i]!, status: e ? "partial" : "ok", error: e ? { code: e.code, message: e.message } : null, detail };
  }, { progress: opts.progress });
}
