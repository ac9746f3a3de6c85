import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

/** The repository's copy of the Logpush sample (fixtures/logpush), with truth.json. */
export const LOGPUSH_DIR = fileURLToPath(new URL("../../../fixtures/logpush/", import.meta.url));

export type Rec = Record<string, unknown>;

/** Every file of a dataset folder, recursively, sorted. */
export function filesOf(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p); else out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** The records of one NDJSON file (gzipped or not), parsed here, independently of the audit code. */
export function readRecords(path: string): Rec[] {
  const raw = readFileSync(path);
  const text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString("utf8");
  return text.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as Rec);
}

/** All records of a dataset in the sample. */
export function sample(dataset: "access_requests" | "ssh_logs" | "zero_trust_network_sessions"): Rec[] {
  return filesOf(join(LOGPUSH_DIR, dataset)).flatMap(readRecords);
}

/** truth.json: counts computed by the sample's generator. */
export function truth(): { access_denied_by_user: Record<string, number>; access_total: number; bytes_sent_total: number; root_sessions: number; sessions_with_rm_rf: number; ssh_programs: number; ssh_sessions: number } {
  return JSON.parse(readFileSync(join(LOGPUSH_DIR, "truth.json"), "utf8"));
}

/** An ssh_logs payload, decoded: the asciicast header and its [time, kind, data] events. */
export function payloadOf(r: Rec): { header: Rec; events: Array<[number, string, string]> } {
  const lines = Buffer.from(String(r.Payload ?? ""), "base64").toString("utf8").split("\n").filter((l) => l !== "");
  return { header: JSON.parse(lines[0] ?? "{}") as Rec, events: lines.slice(1).map((l) => JSON.parse(l) as [number, string, string]) };
}

/** The command lines of a program, straight from its payload: the exec command, or input split at Enter. */
export function payloadCommands(r: Rec): string[] {
  const { header, events } = payloadOf(r);
  const out: string[] = [];
  if (typeof header.command === "string") out.push(header.command);
  const typed = events.filter((e) => e[1] === "i").map((e) => e[2]).join("");
  const parts = typed.split(/[\r\n]/);
  parts.pop();
  for (const p of parts) if (p.trim() !== "") out.push(p.trim());
  return out;
}

/** Unix seconds of an RFC 3339 string. */
export function secs(v: unknown): number {
  return Date.parse(String(v)) / 1000;
}
