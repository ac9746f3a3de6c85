/**
 * The end-of-ingest summary as lines for a terminal: files, rows per table, what was skipped and
 * why, and every bad file by name.
 *
 * @example for (const l of formatIngestSummary(summary, "ssh-audit.duckdb")) console.error(l);
 */
import { afterFileName } from "../errors.js";
import { plural } from "../text.js";
import type { FileProblem, IngestSummary } from "./ingest.js";

/** A titled list of files with what is wrong with each: a sentence, then its code as everywhere else. */
function list(title: string, items: FileProblem[], max = 20): string[] {
  if (items.length === 0) return [];
  const out = [`${title} (${items.length}):`];
  for (const p of items.slice(0, max)) out.push(`  ${p.path}: ${afterFileName(p.why, p.path)}.${p.code ? ` [${p.code}]` : ""}`);
  if (items.length > max) out.push(`  ... and ${items.length - max} more (--json lists them all).`);
  return out;
}

/** The summary as lines of text. */
export function formatIngestSummary(s: IngestSummary, dbPath: string): string[] {
  const out: string[] = [];
  if (s.files === 0) return [`There are no files under the paths given; nothing was indexed into ${dbPath}.`];
  out.push(`Indexed ${s.ingested} of ${plural(s.files, "file")} into ${dbPath} in ${s.seconds.toFixed(1)} s (ingest ${s.ingestId}).`);
  const width = Math.max(...Object.keys(s.rows).map((k) => k.length));
  for (const [t, n] of Object.entries(s.rows)) out.push(`  ${t.padEnd(width)}  ${String(n).padStart(9)} ${n === 1 ? "row" : "rows"} added`);
  out.push(`Skipped: ${plural(s.alreadyIndexed, "file")} indexed before, ${plural(s.duplicates, "duplicate record")}, ${plural(s.sameRecording.length, "recording")} of a session indexed from another file, ${plural(s.badLines, "bad line")}.`);
  out.push(...list("Files with bad lines (the other lines were indexed)", s.filesWithBadLines));
  out.push(...list("Bad files, not indexed", s.badFiles));
  out.push(...list("Recordings indexed up to damage", s.partial));
  out.push(...list("Not indexed", s.skipped));
  return out;
}
