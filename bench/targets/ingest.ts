import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { DATASETS, type DatasetName } from "../../lib/audit/datasets.js";
import type { BenchContext } from "../lib/context.js";
import { higherIsBetter, medianPairOfAlternating, type Row } from "../lib/measure.js";

const PAYLOAD = Buffer.from('{"version": 2, "width": 120, "height": 40, "timestamp": 0}\n[0.1, "o", "$ "]\n[1.2, "i", "uptime\\r"]\n[1.21, "o", "uptime\\r\\n"]\n[1.5, "o", " 10:00:00 up 3 days\\r\\n$ "]\n').toString("base64");

function hex(i: number, n: number): string {
  return ((i * 2654435761) >>> 0).toString(16).padStart(8, "0").repeat(4).slice(0, n);
}
function uuid(i: number): string {
  const h = hex(i, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${i.toString(16).padStart(12, "0")}`;
}
function iso(sec: number): string { return new Date(sec * 1000).toISOString().replace(".000Z", "Z"); }

/** One record of `dataset`, number `i` (unique keys), in Cloudflare's field names. */
function record(dataset: DatasetName, i: number): Record<string, unknown> {
  const t = 1_791_000_000 + i * 7;
  const user = ["alice", "bob", "carol", "dave"][i % 4]!;
  if (dataset === "access_requests") {
    return { Action: i % 2 ? "login" : "logout", Allowed: i % 13 !== 0, AppDomain: `tgt-${i % 40}.infra.example.com`, AppUUID: uuid(i % 40), Connection: "github", Country: "GB", CreatedAt: iso(t), Email: `${user}@example.com`, IPAddress: `203.0.113.${i % 250}`, PurposeJustificationPrompt: "", PurposeJustificationResponse: "", RayID: `${hex(i, 8)}${i.toString(16).padStart(8, "0")}`, TemporaryAccessApprovers: [], TemporaryAccessDuration: 0, UserUID: uuid(i % 4 + 1000) };
  }
  if (dataset === "zero_trust_network_sessions") {
    return { AccountID: "acc-1", BytesReceived: i * 31, BytesSent: i * 17, ClientTCPHandshakeDurationMs: i % 90, ConnectionCloseReason: "CLIENT_CLOSED", DestinationTunnelID: uuid(i % 7), DetectedProtocol: "SSH", DeviceID: uuid(i % 50), DestinationIP: `10.0.1.${i % 250}`, DestinationPort: 22, Email: `${user}@example.com`, SessionEndTime: iso(t + 600), SessionID: uuid(i), SessionStartTime: iso(t), SourceIP: `203.0.113.${i % 250}`, Transport: "tcp", UserID: uuid(i % 4 + 1000) };
  }
  const sid = uuid(i);
  return { AccountID: "acc-1", ClientAddress: `203.0.113.${i % 250}`, Datetime: iso(t + 600), Error: "", PTY: "xterm-256color", Payload: PAYLOAD, ProgramFinishDatetime: iso(t + 600), ProgramID: `${sid.slice(0, 8)}-0`, ProgramStartDatetime: iso(t), ProgramType: "shell", ServerAddress: "10.0.1.10:22", SessionFinishDatetime: iso(t + 600), SessionID: sid, SessionStartDatetime: iso(t), TargetID: `tgt-${i % 40}`, UserEmail: `${user}@example.com`, UserID: uuid(i % 4 + 1000), Username: "deploy" };
}

/** A Logpush export: `rows` records over the three datasets (40/40/20), gzipped NDJSON, 20 files each. */
function generateExport(dir: string, rows: number): Record<DatasetName, string[]> {
  rmSync(dir, { recursive: true, force: true });
  const share: Record<DatasetName, number> = { access_requests: 0.4, zero_trust_network_sessions: 0.4, ssh_logs: 0.2 };
  const files = { access_requests: [], zero_trust_network_sessions: [], ssh_logs: [] } as Record<DatasetName, string[]>;
  for (const d of Object.keys(share) as DatasetName[]) {
    const n = Math.round(rows * share[d]);
    const perFile = Math.ceil(n / 20);
    for (let f = 0, i = 0; i < n; f++) {
      const day = `202610${String(1 + (f % 28)).padStart(2, "0")}`;
      const folder = join(dir, d, day);
      mkdirSync(folder, { recursive: true });
      const lines: string[] = [];
      for (let k = 0; k < perFile && i < n; k++, i++) lines.push(JSON.stringify(record(d, i)));
      const path = join(folder, `${day}T${String(f % 24).padStart(2, "0")}0000Z_${day}T${String(f % 24).padStart(2, "0")}5959Z_${hex(f + 1, 8)}.log.gz`);
      writeFileSync(path, gzipSync(`${lines.join("\n")}\n`));
      files[d].push(path);
    }
  }
  return files;
}

function duckType(t: string): string { return t === "VARCHAR[]" ? "VARCHAR[]" : t; }

/**
 * ingest: the audit store's ingest of a Logpush export (fresh store each run) against DuckDB's own
 * read_ndjson with explicit columns over the same files into a fresh database file (CREATE TABLE
 * AS, one per dataset), alternating, the median pair of runs. Rows per second.
 *
 * @example const rows = await benchIngest(ctx);
 */
export async function benchIngest(ctx: BenchContext): Promise<Row[]> {
  const rows = Math.max(1000, Math.min(ctx.config.smallBlocks, 2_000_000));
  const dir = ctx.out(`logpush-${rows}`);
  const files = generateExport(dir, rows);
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const { openAuditDb } = await import("../../lib/audit/open-db.js");
  const { ingestPaths } = await import("../../lib/audit/ingest.js");
  let ingested = 0;
  let baseRows = 0;
  const m = await medianPairOfAlternating(ctx.config.runs,
    async () => {
      const inst = await DuckDBInstance.create(ctx.freshOut("ingest-baseline.duckdb"));
      const con = await inst.connect();
      baseRows = 0;
      for (const [name, list] of Object.entries(files) as Array<[DatasetName, string[]]>) {
        const cols = DATASETS[name].fields.map(([n, t]) => `'${n}': '${duckType(t)}'`).join(", ");
        await con.run(`CREATE TABLE ${name} AS SELECT * FROM read_ndjson([${list.map((f) => `'${f}'`).join(", ")}], columns={${cols}}, compression='gzip')`);
        const r = await con.runAndReadAll(`SELECT count(*) AS n FROM ${name}`);
        baseRows += Number(r.getRowObjectsJS()[0]!.n);
      }
      con.closeSync();
      inst.closeSync();
    },
    async () => {
      const db = await openAuditDb(ctx.freshOut("ingest.duckdb"), { write: true });
      try {
        const s = await ingestPaths(db, [dir]);
        ingested = Object.entries(s.rows).filter(([t]) => t in DATASETS).reduce((n, [, v]) => n + v, 0);
      } finally {
        db.close();
      }
    });
  rmSync(dir, { recursive: true, force: true });
  if (ingested !== baseRows) throw new Error(`ingest stored ${ingested} rows but the export holds ${baseRows}`);
  return [higherIsBetter("ingest, Logpush export", "rows/s", ingested / m.cand, baseRows / m.base, 0.8, `${ingested} rows (40% access_requests, 40% network sessions, 20% ssh_logs) in 60 gzipped files; ${m.note}`)];
}
