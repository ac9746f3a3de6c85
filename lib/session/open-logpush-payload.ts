import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import { BadInputError, UsageError, fsError } from "../errors.js";
import { MAX_UNIX_SECONDS } from "../format/header.js";
import type { Session } from "./model.js";
import { openAsciicastText } from "./open-asciicast.js";
import { readHead } from "./read-chunks.js";

/** One `ssh_logs` record: Cloudflare's field names; real exports carry more, kept as found. */
export type LogpushRecord = Record<string, unknown>;

/**
 * A Logpush time field as unix seconds: RFC 3339 strings, or unix integers in s, ms, us or ns.
 *
 * @example logpushTime("2026-10-01T00:09:21Z") === 1790813361
 */
export function logpushTime(v: unknown): number | null {
  const t = logpushSeconds(v);
  return t !== null && Math.abs(t) <= MAX_UNIX_SECONDS ? t : null; // beyond it, no date can show it
}

function logpushSeconds(v: unknown): number | null {
  if (typeof v === "string" && v !== "") {
    if (/^\d+$/.test(v)) return logpushSeconds(Number(v));
    const t = Date.parse(v);
    return Number.isFinite(t) ? t / 1000 : null;
  }
  if (typeof v === "number" && Number.isFinite(v) && v > 0) {
    if (v > 1e17) return v / 1e9;
    if (v > 1e14) return v / 1e6;
    if (v > 1e11) return v / 1e3;
    return v;
  }
  return null;
}

/**
 * Opens one `ssh_logs` record's Payload (base64 of an asciicast v2 recording) as a Session, with
 * what the record knows laid over it: start time, TERM, exec command, finish time and error; every
 * other field lands in `info.extra` (Username, UserEmail, TargetID, ...).
 *
 * @example const s = await openLogpushRecord(JSON.parse(line), "ssh_logs.log.gz");
 */
export async function openLogpushRecord(record: LogpushRecord, where: string): Promise<Session> {
  const id = typeof record.ProgramID === "string" ? record.ProgramID : typeof record.SessionID === "string" ? record.SessionID : "?";
  const path = `${where}#${id}`;
  if (typeof record.Payload !== "string" || record.Payload === "") {
    throw new BadInputError(`The Logpush record ${id} in ${where} has no Payload (its program recorded nothing); pick another session.`, { file: where });
  }
  const text = Buffer.from(record.Payload, "base64").toString("utf8");
  const s = await openAsciicastText(text, path, { kind: "logpush" });
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) if (k !== "Payload") extra[k] = v;
  const started = logpushTime(record.ProgramStartDatetime) ?? logpushTime(record.SessionStartDatetime) ?? logpushTime(record.Datetime);
  const finished = logpushTime(record.ProgramFinishDatetime);
  const term = typeof record.PTY === "string" ? record.PTY : "";
  const info = s.info;
  info.extra = { ...info.extra, ...extra };
  if (started !== null) info.startedAt = started; // the payload's own timestamp is 0 in real exports
  // An empty PTY field means the program ran without a terminal (exec).
  info.pty = term !== "" && info.pty ? { ...info.pty, term } : record.ProgramType === "shell" && info.pty ? info.pty : null;
  const error = typeof record.Error === "string" && record.Error !== "" ? record.Error : null;
  if (finished !== null) info.exit = { timestamp: Math.floor(finished), status: null, signal: null, coreDumped: false, errorMessage: error };
  return s;
}

/** The NDJSON files of a Logpush export: `path` itself, or every .log.gz/.log/.json/.ndjson under it. */
async function logFiles(path: string): Promise<string[]> {
  let st;
  try { st = await stat(path); } catch (err) { throw fsError(err, path, "Logpush export"); }
  if (!st.isDirectory()) return [path];
  const out: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > 4) return;
    for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p, depth + 1);
      else if (/\.(log\.gz|gz|log|json|ndjson|jsonl)$/.test(e.name)) out.push(p);
    }
  };
  await walk(path, 0);
  return out;
}

/** Streams the records of one NDJSON file (gzipped or not), with their line numbers. */
async function* records(file: string): AsyncIterable<LogpushRecord> {
  const head = await readHead(file, 2, "Logpush file");
  const raw = createReadStream(file);
  const input = head[0] === 0x1f && head[1] === 0x8b ? raw.pipe(createGunzip()) : raw;
  const rl = createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const line of rl) {
      n++;
      const t = line.trim();
      if (t === "") continue;
      let rec: unknown;
      try { rec = JSON.parse(t); } catch {
        throw new BadInputError(`${file}: line ${n} is not JSON; give a Logpush ssh_logs export (NDJSON, gzipped or not).`, { file, offset: n });
      }
      if (rec && typeof rec === "object" && !Array.isArray(rec)) yield rec as LogpushRecord;
    }
  } catch (err) {
    if (err instanceof BadInputError) throw err;
    throw new BadInputError(`${file} could not be read as a Logpush export (${err instanceof Error ? err.message : String(err)}); check that it is NDJSON or gzipped NDJSON.`, { file, cause: err });
  } finally {
    rl.close();
    raw.destroy();
  }
}

/**
 * Finds the `ssh_logs` record for `id` (a ProgramID, or a SessionID that ran one program) in a
 * Logpush file or folder and opens its Payload. Without `id`, the export must hold exactly one
 * program. A SessionID that ran several programs is refused with their ProgramIDs listed.
 *
 * @example const s = await openLogpushPayload("ssh_logs/20261001/x.log.gz", "5fbec211-0");
 */
export async function openLogpushPayload(path: string, id?: string): Promise<Session> {
  const bySession: Array<{ rec: LogpushRecord; file: string }> = [];
  const seen = new Set<string>();
  let programs = 0;
  let only: { rec: LogpushRecord; file: string } | null = null;
  for (const file of await logFiles(path)) {
    for await (const rec of records(file)) {
      if (rec.Payload === undefined || (rec.SessionID === undefined && rec.ProgramID === undefined)) continue;
      programs++;
      if (id === undefined) {
        only = programs === 1 ? { rec, file } : null;
        if (typeof rec.SessionID === "string" && seen.size < 10) seen.add(rec.SessionID);
        continue;
      }
      if (rec.ProgramID === id) return openLogpushRecord(rec, file);
      if (rec.SessionID === id) bySession.push({ rec, file });
    }
  }
  if (programs === 0) {
    throw new BadInputError(`${path} holds no Logpush ssh_logs records (no line has a Payload and a SessionID); give an ssh_logs export.`, { file: path });
  }
  if (id === undefined) {
    if (only) return openLogpushRecord(only.rec, only.file);
    throw new UsageError(`${path} holds ${programs} recorded programs; choose one with --session ID (a SessionID or ProgramID), e.g. ${[...seen].slice(0, 3).join(", ")}.`, { file: path });
  }
  if (bySession.length === 1) return openLogpushRecord(bySession[0]!.rec, bySession[0]!.file);
  if (bySession.length > 1) {
    const ids = bySession.map((r) => String(r.rec.ProgramID)).join(", ");
    throw new UsageError(`Session ${id} in ${path} ran ${bySession.length} programs (${ids}); choose one with --session PROGRAM_ID.`, { file: path });
  }
  throw new UsageError(`${path} has no ssh_logs record with SessionID or ProgramID ${id}; check the ID (it is the SessionID or ProgramID field).`, { file: path });
}
