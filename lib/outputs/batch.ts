import { readdir, stat } from "node:fs/promises";
import { basename, dirname, join, resolve, sep } from "node:path";
import { SshLogError, UsageError, afterFileName, fsError } from "../errors.js";

/**
 * True when a path holds glob characters (*, ?, [...]) that ssh-log expands itself.
 *
 * @example hasGlob("logs/*.log") === true
 */
export function hasGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

/**
 * True when `path` is a pattern to expand rather than a file: it holds glob characters and no file
 * of that exact name exists.
 *
 * @example await isPattern("logs/*.log") === true
 */
export async function isPattern(path: string): Promise<boolean> {
  return hasGlob(path) && !(await isFile(path));
}

/**
 * True when an -o path names a folder to write into: it ends in a slash (or a backslash), or is an
 * existing folder.
 *
 * @example await namesFolder("casts/") === true
 */
export async function namesFolder(path: string): Promise<boolean> {
  if (/[\\/]$/.test(path)) return true;
  try { return (await stat(path)).isDirectory(); } catch { return false; }
}

/** One path segment's glob as a regular expression (* and ? stop at "/", [...] classes). */
function segmentRegex(seg: string): RegExp {
  let re = "";
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = seg.indexOf("]", i + 2);
      if (end < 0) { re += "\\["; continue; }
      let cls = seg.slice(i + 1, end);
      if (cls.startsWith("!")) cls = `^${cls.slice(1)}`;
      re += `[${cls.replace(/\\/g, "\\\\")}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/**
 * Expands the glob patterns the shell left alone (quoted: `-l 'logs/*.log'`), with `*`, `?`,
 * `[...]` and `**` (any depth); names starting with "." match only a pattern that starts with ".".
 * Plain paths pass through. The result is sorted and without duplicates; a pattern that matches
 * nothing is a UsageError.
 *
 * @example await expandInputs(["logs/*.log"]) // ["logs/a.log", "logs/b.log"]
 */
export async function expandInputs(patterns: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const pattern of patterns) {
    if (!hasGlob(pattern) || (await isFile(pattern))) { out.push(pattern); continue; }
    const abs = pattern.startsWith("/");
    const segs = pattern.split("/").filter((s, i) => s !== "" || i === 0);
    let bases = [abs ? "/" : "."];
    const start = abs ? 1 : 0;
    for (let i = start; i < segs.length; i++) {
      const seg = segs[i]!;
      const last = i === segs.length - 1;
      const next: string[] = [];
      if (seg === "**") {
        // ** : this folder and every folder below it (bounded depth, no symlinked folders followed)
        for (const b of bases) next.push(b, ...(await subdirs(b, 8)));
      } else if (!hasGlob(seg)) {
        for (const b of bases) next.push(b === "." && !abs ? seg : join(b, seg));
      } else {
        const re = segmentRegex(seg);
        for (const b of bases) {
          let names: Array<{ name: string; dir: boolean }> = [];
          try {
            names = (await readdir(b, { withFileTypes: true })).map((e) => ({ name: e.name, dir: e.isDirectory() }));
          } catch { names = []; }
          for (const e of names) {
            if (e.name.startsWith(".") && !seg.startsWith(".")) continue;
            if (!re.test(e.name)) continue;
            if (!last && !e.dir) continue;
            next.push(b === "." && !abs ? e.name : join(b, e.name));
          }
        }
      }
      bases = next;
    }
    const files: string[] = [];
    for (const b of bases) {
      try { if ((await stat(b)).isFile()) files.push(b); } catch { /* vanished or unreadable: not a match */ }
    }
    if (files.length === 0) throw new UsageError(`No file matches ${pattern}; check the pattern (quote it so that ssh-log expands it, or let the shell do it).`);
    out.push(...files.sort());
  }
  return [...new Set(out)];
}

async function isFile(path: string): Promise<boolean> {
  try { return (await stat(path)).isFile(); } catch { return false; }
}

async function subdirs(dir: string, depth: number): Promise<string[]> {
  if (depth === 0) return [];
  let entries;
  try { entries = await readdir(dir, { withFileTypes: true }); } catch { return []; }
  const out: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory() || e.name.startsWith(".")) continue;
    const p = dir === "." ? e.name : join(dir, e.name);
    out.push(p, ...(await subdirs(p, depth - 1)));
  }
  return out;
}

/**
 * Output names for many inputs in one folder: `<base><suffix>`, made unique when two inputs share a
 * base name (the second gets "-2", and so on), and never the name of an input in that folder, which
 * would be replaced before it is read.
 *
 * @example outputNames(["a/s.log", "b/s.log"], "out", ".cast") // ["out/s.log.cast", "out/s.log-2.cast"]
 */
export function outputNames(inputs: string[], dir: string, suffix: string): string[] {
  const used = new Set(inputs.filter((i) => resolve(dirname(i)) === resolve(dir)).map((i) => basename(i)));
  return inputs.map((input) => {
    const base = basename(input.endsWith(sep) ? input.slice(0, -1) : input);
    let name = `${base}${suffix}`;
    for (let k = 2; used.has(name); k++) name = `${base}-${k}${suffix}`;
    used.add(name);
    return join(dir, name);
  });
}

/** How one input of a batch went. */
export interface BatchItem {
  input: string;
  output: string | null;
  status: "ok" | "partial" | "failed";
  /** For partial and failed items: what went wrong. */
  error: { code: string; message: string } | null;
  /** A short description of what was written ("2 entries, 18391 bytes"). */
  detail: string;
}

export interface BatchSummary {
  items: BatchItem[];
  ok: number;
  partial: number;
  failed: number;
}

export interface BatchOptions {
  /** Where to draw the progress bar (a TTY's stderr), or null for none (piped: quiet). */
  progress: (NodeJS.WritableStream & { columns?: number }) | null;
}

/**
 * The progress line: a bar, the count and the file being worked on, fitted to `width`.
 *
 * @example progressLine(3, 10, "logs/a.log", 60) === "[######..............] 3/10 logs/a.log"
 */
export function progressLine(done: number, total: number, current: string, width: number): string {
  const bar = 20;
  const filled = total === 0 ? bar : Math.round((done / total) * bar);
  const head = `[${"#".repeat(filled)}${".".repeat(bar - filled)}] ${done}/${total} `;
  const room = Math.max(0, width - head.length - 1);
  const name = current.length > room ? `…${current.slice(current.length - room + 1)}` : current;
  return head + name;
}

/**
 * Runs `work` on every input in turn, keeping going past failures: a thrown SshLogError marks the
 * item failed with its code; `work` returns "partial" with the error for inputs that were cut or
 * altered but written in part. Draws a progress bar when asked (TTY only) and returns the tally.
 *
 * @example const summary = await runBatch(files, (f) => decryptOne(f), { progress: process.stderr.isTTY ? process.stderr : null });
 */
export async function runBatch(
  inputs: string[],
  work: (input: string, index: number) => Promise<Omit<BatchItem, "input">>,
  opts: BatchOptions,
): Promise<BatchSummary> {
  const items: BatchItem[] = [];
  const bar = opts.progress;
  const width = (): number => Math.max(40, Math.min(bar?.columns ?? 80, 200));
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i]!;
    if (bar) bar.write(`\r\x1b[K${progressLine(i, inputs.length, input, width())}`);
    try {
      items.push({ input, ...(await work(input, i)) });
    } catch (err) {
      const e = err instanceof SshLogError ? err : fsError(err, input, "input");
      items.push({ input, output: null, status: "failed", error: { code: e.code, message: e.message }, detail: "" });
    }
  }
  if (bar) bar.write(`\r\x1b[K`);
  return {
    items,
    ok: items.filter((i) => i.status === "ok").length,
    partial: items.filter((i) => i.status === "partial").length,
    failed: items.filter((i) => i.status === "failed").length,
  };
}

/**
 * The summary printed at the end of a batch: one line per partial or failed input, then the tally.
 *
 * @example formatSummary(s, "Decrypted") // ["partial: logs/b.log: ... [ERR_TRUNCATED]", "Decrypted 2 of 3 files: 1 complete, 1 partial, 1 failed."]
 */
export function formatSummary(s: BatchSummary, verb: string): string[] {
  const lines: string[] = [];
  for (const i of s.items) {
    if (i.status === "ok") lines.push(`ok: ${i.input} -> ${i.output}${i.detail ? ` (${i.detail})` : ""}`);
  }
  for (const i of s.items) {
    if (i.status !== "ok") lines.push(`${i.status}: ${i.input}: ${afterFileName(i.error?.message ?? "", i.input)} [${i.error?.code ?? ""}]`);
  }
  const total = s.items.length;
  lines.push(`${verb} ${s.ok + s.partial} of ${total} file${total === 1 ? "" : "s"}: ${s.ok} complete, ${s.partial} partial, ${s.failed} failed.`);
  return lines;
}
