import type { Command } from "commander";
import type { CliIo } from "../io.js";
import { reportBatchExit } from "./export.js";
import { dbOption } from "./audit-options.js";

interface IndexFlags { identity?: string; db: string; json?: boolean; progress?: boolean }

/** A progress bar on stderr, redrawn at most ten times a second; cleared when done. */
function progressBar(io: CliIo): { update: (p: { bytesDone: number; bytesTotal: number; filesDone: number; filesTotal: number }) => void; clear: () => void } {
  let last = 0;
  let shown = false;
  const started = Date.now();
  return {
    update(p) {
      const now = Date.now();
      if (now - last < 100 && p.filesDone < p.filesTotal) return;
      last = now;
      const frac = p.bytesTotal > 0 ? p.bytesDone / p.bytesTotal : p.filesDone / Math.max(1, p.filesTotal);
      const cols = Math.max(40, Math.min(io.stderr.columns ?? 80, 120));
      const rate = p.bytesDone / 1e6 / Math.max(0.001, (now - started) / 1000);
      // Fixed width, so the bar does not change length as the numbers grow.
      const text = ` ${Math.floor(frac * 100)}% ${p.filesDone}/${p.filesTotal} files ${rate.toFixed(1)} MB/s`.padEnd(36);
      const barWidth = Math.max(10, cols - text.length - 3);
      const filled = Math.round(frac * barWidth);
      io.stderr.write(`\r[${"#".repeat(filled)}${".".repeat(barWidth - filled)}]${text}`);
      shown = true;
    },
    clear() { if (shown) io.stderr.write(`\r${" ".repeat(Math.min(io.stderr.columns ?? 80, 120))}\r`); },
  };
}

/** `ssh-log index`: Logpush exports and recordings into the audit store. */
export function registerIndex(program: Command, io: CliIo): void {
  program
    .command("index")
    .description("put Logpush exports (access_requests, ssh_logs, zero_trust_network_sessions; gzipped or not) and recordings (captures, decrypted zips, .cast) into the audit database")
    .argument("<paths...>", "files or folders (walked recursively; each file is recognised by its content)")
    .option("-i, --identity <file>", "the private key, to index encrypted captures")
    .addOption(dbOption())
    .option("--json", "print the summary as JSON on stdout")
    .option("--no-progress", "no progress bar, even on a terminal")
    .addHelpText("after", `
Indexing the same files again adds nothing twice: files are known by their SHA-256, records by
RayID (access_requests), SessionID + ProgramID (ssh_logs) or SessionID (network sessions).
A damaged file is named and skipped; the others still go in.
Exit codes, the worst file's (the rest is indexed either way): 0 done; 2 a capture named here
but no -i KEY; 3 a file was cut or damaged; 4 a recording was not encrypted for the key given;
5 a recording is not a valid capture, zip or .cast file, or a file named here is empty or not an
audit input (one found in a folder is only listed); 6 a path is missing; 7 the database is locked
by another ssh-log process or failed.`)
    .action(async (paths: string[], flags: IndexFlags, cmd: Command) => {
      const { checkAuditDbPath, openAuditDb } = await import("../../lib/audit/open-db.js");
      const { prepareIngest } = await import("../../lib/audit/ingest.js");
      const { formatIngestSummary } = await import("../../lib/audit/ingest-summary.js");
      const bar = io.stderr.isTTY && flags.progress !== false ? progressBar(io) : null;
      // The store's path, then the inputs and the key, are checked before the store is created
      // or opened, so a mistyped command leaves no store behind.
      checkAuditDbPath(flags.db, true);
      const prepared = await prepareIngest(paths, {
        keyPath: flags.identity ?? null,
        warn: (m) => { bar?.clear(); io.err(m); },
        onProgress: (p) => { if (p.bytesTotal >= 16 * 1024 * 1024 || p.filesTotal >= 100) bar?.update(p); },
      });
      let summary;
      try {
        const db = await openAuditDb(flags.db, { write: true });
        try {
          summary = await prepared.into(db);
        } finally {
          bar?.clear();
          db.close();
        }
      } finally {
        prepared.dispose();
      }
      if (flags.json) io.out(JSON.stringify({ db: flags.db, ...summary }, null, 2));
      else for (const line of formatIngestSummary(summary, flags.db)) io.err(line);
      // As batch decrypt and export: the worst file's own exit code (4 for a wrong key); damage
      // that has no code of its own (a cut .gz, a bad NDJSON file) and partial recordings give 3.
      const partial = { status: "partial", error: null };
      reportBatchExit(cmd, { items: [
        ...summary.partial.map(() => partial),
        ...summary.badFiles.map((f) => (f.code ? { status: "failed", error: { code: f.code } } : partial)),
        // A file named on the command line that could not be indexed (one met in a folder has no code).
        ...summary.skipped.flatMap((f) => (f.code ? [{ status: "failed", error: { code: f.code } }] : [])),
      ] });
    });
}
