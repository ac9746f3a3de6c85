/**
 * Tells what each input is, from its content (never only its name): a Logpush NDJSON file of a
 * given dataset (gzipped or not), an encrypted capture, a decrypted zip, or an asciicast .cast
 * file. Folders are walked recursively, so the Logpush `YYYYMMDD/` layout needs nothing special.
 *
 * @example
 *   for (const f of await listInputs(["logpush/", "recordings/"])) console.log(f.path, (await detectInput(f.path)).kind);
 */
import type { Dirent } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { constants as zc, createGunzip, gunzip } from "node:zlib";
import { fsError } from "../errors.js";
import { readHeadAndSize } from "../session/read-chunks.js";
import { type DatasetName, datasetOfRecord, unknownFields } from "./datasets.js";
import { type FileScan, scanBuffer } from "./internal/scan-file.js";

export type InputKind = "logpush" | "capture" | "zip" | "asciicast" | "unknown";

export interface DetectedInput {
  path: string;
  /** The file's size in bytes. */
  bytes: number;
  kind: InputKind;
  /** For Logpush files: the dataset. */
  dataset?: DatasetName;
  /** For Logpush files: gzip-compressed. */
  gzip?: boolean;
  /** For Logpush files: fields seen in the first lines that the dataset does not define. */
  extraFields?: string[];
  /** For unknown inputs: why the file was not recognised, as a phrase. */
  why?: string;
  /** The file is damaged (a gzip stream that does not inflate): a bad file, not merely another kind. */
  damaged?: boolean;
  /**
   * Set when recognising the file read it whole (under WHOLE_FILE_BYTES): its hash, and for plain
   * Logpush NDJSON its lines, so that no second read is needed before it goes in.
   */
  scan?: FileScan;
}

const gunzipAsync = promisify(gunzip);

/** Compressed bytes inflated to recognise a large gzip file. */
const GZIP_HEAD_BYTES = 16 * 1024;

/** How much of a file is read to recognise it (an ssh_logs line with a payload can be long). */
const HEAD_BYTES = 64 * 1024;

/** A file smaller than this is read whole, recognised and hashed in one read. */
const WHOLE_FILE_BYTES = 1024 * 1024;


function parseObject(line: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(line);
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The top-level field names at the start of a JSON object cut short, as a record of nulls. */
function keysOf(partial: string): Record<string, unknown> | null {
  const keys = [...partial.matchAll(/"([A-Za-z0-9_]+)"\s*:/g)].map((m) => m[1]!);
  return keys.length > 0 ? Object.fromEntries(keys.map((k) => [k, null])) : null;
}

const BASE64_START = /^[A-Za-z0-9+/]{8}/;

/**
 * The first HEAD_BYTES of text out of the start of a gzip stream, on the thread pool: inflating
 * stops there (sync flush: take what comes out of a stream cut on purpose).
 */
function inflateHead(part: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const gz = createGunzip({ chunkSize: HEAD_BYTES, finishFlush: zc.Z_SYNC_FLUSH });
    let first: Buffer | null = null;
    gz.on("data", (c: Buffer) => { if (first === null) { first = c; gz.destroy(); resolve(c); } });
    gz.on("error", (err) => { if (first === null) reject(err); });
    gz.on("end", () => { if (first === null) resolve(Buffer.alloc(0)); });
    gz.end(part);
  });
}

/**
 * What `path` holds, judged from its first bytes. A file under 1 MiB is read whole and hashed on
 * the way (`scan`).
 *
 * @example (await detectInput("logpush/ssh_logs/20261014/a.log.gz")).dataset  // "ssh_logs"
 */
export async function detectInput(path: string): Promise<DetectedInput> {
  const { head: read, size } = await readHeadAndSize(path, WHOLE_FILE_BYTES, "input");
  const d = { ...await recognise(path, read), bytes: size };
  if (read.length === 0 || read.length >= WHOLE_FILE_BYTES) return d;
  return { ...d, scan: scanBuffer(read, { countLines: d.kind === "logpush" && d.gzip !== true }) };
}

async function recognise(path: string, read: Buffer): Promise<Omit<DetectedInput, "bytes">> {
  const head = read.subarray(0, HEAD_BYTES);
  if (head.length === 0) return { path, kind: "unknown", why: "it is empty" };
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return { path, kind: "zip" };
  let text: string;
  let gzip = false;
  if (head[0] === 0x1f && head[1] === 0x8b) {
    gzip = true;
    try {
      // A small file must inflate whole; of a larger one the first 16 KiB are inflated, as far
      // as the first HEAD_BYTES of text.
      text = (head.length < HEAD_BYTES
        ? (await gunzipAsync(head, { chunkSize: 1 << 18 })).subarray(0, HEAD_BYTES)
        : await inflateHead(head.subarray(0, GZIP_HEAD_BYTES))).toString("utf8");
    } catch (err) {
      return { path, kind: "unknown", gzip, damaged: true, why: `it is a damaged gzip file (${(err as Error).message}); fetch it again` };
    }
  } else {
    // A capture starts with a 4-byte big-endian header length followed by base64.
    const n = head.length >= 4 ? head.readUInt32BE(0) : 0;
    if (n > 0 && n < 1 << 20 && BASE64_START.test(head.subarray(4, 12).toString("latin1"))) return { path, kind: "capture" };
    text = head.toString("utf8");
  }
  const lines = text.split("\n");
  const at = lines.findIndex((l) => l.trim() !== "");
  if (at < 0) return { path, kind: "unknown", gzip, why: "it holds no JSON lines" };
  const first = lines[at]!;
  // The head's last piece may be cut by the head limit. When it is the first record (one longer
  // than the head: an ssh_logs payload can be megabytes), that record is recognised by the field
  // names it starts with; Logpush payloads are base64, so no quote inside them misleads.
  const firstIsCut = at === lines.length - 1;
  let rec = parseObject(first);
  if (rec === null && firstIsCut && first.trimStart().startsWith("{")) rec = keysOf(first);
  if (rec !== null && rec.version === 2 && typeof rec.width === "number" && typeof rec.height === "number") {
    return { path, kind: "asciicast" };
  }
  // Logpush: the first record that parses decides the dataset; the head's records give the fields.
  let dataset: DatasetName | null = null;
  const extra = new Set<string>();
  let seen = 0;
  // From the first record on, whole lines only: the last piece is read only when it is the first record.
  for (const l of lines.slice(at, firstIsCut ? undefined : -1)) {
    const r = l === first ? rec : parseObject(l);
    if (r === null) continue;
    dataset ??= datasetOfRecord(r);
    if (dataset === null) break;
    for (const f of unknownFields(dataset, r)) extra.add(f);
    if (++seen >= 50) break;
  }
  if (dataset === null) {
    return { path, kind: "unknown", gzip, why: rec === null ? "its first line is not JSON" : "its records match no Logpush dataset this version reads (access_requests, ssh_logs, zero_trust_network_sessions)" };
  }
  return { path, kind: "logpush", dataset, gzip, extraFields: [...extra].sort() };
}

/**
 * Expands the paths given on the command line into files: folders recursively (sorted, hidden
 * entries skipped), files as given. A missing path is an error naming it.
 *
 * @example await listInputs(["logpush/"])  // ["logpush/access_requests/20261014/a.log.gz", ...]
 */
export async function listInputs(paths: string[]): Promise<string[]> {
  // Folders are read with their entries' types, so only links need a stat; subfolders are
  // read at once and their files joined in name order.
  const walk = async (p: string, top: boolean, entry?: Dirent): Promise<string[]> => {
    let dir: boolean;
    let file: boolean;
    if (entry && !entry.isSymbolicLink()) {
      dir = entry.isDirectory();
      file = entry.isFile();
    } else {
      let st;
      try {
        st = await stat(p);
      } catch (err) {
        throw fsError(err, p, "input");
      }
      dir = st.isDirectory();
      file = st.isFile();
    }
    if (!dir) return file || top ? [p] : [];
    let entries: Dirent[];
    try {
      entries = (await readdir(p, { withFileTypes: true })).sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
    } catch (err) {
      throw fsError(err, p, "input folder");
    }
    const found = await Promise.all(entries.filter((e) => !e.name.startsWith(".")).map((e) => walk(join(p, e.name), false, e)));
    return found.flat();
  };
  const out: string[] = [];
  for (const p of paths) for (const f of await walk(p, true)) out.push(f);
  return out;
}
