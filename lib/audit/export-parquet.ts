/**
 * Writes every table of the audit store to Parquet, Hive-partitioned by UTC day
 * (`OUT/<table>/day=YYYY-MM-DD/data_0.parquet`), so the same data can move to Spark, Trino,
 * Athena or ClickHouse when it outgrows one machine. Rows without a time go to
 * `day=__HIVE_DEFAULT_PARTITION__`, the name Hive-style readers take as NULL.
 *
 * @example
 *   const r = await exportParquet(db, "warehouse/");
 *   // read it back: read_parquet over warehouse/commands with hive_partitioning = true (the README has the SQL)
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { OutputError, ErrorCode } from "../errors.js";
import { DATASETS, DATASET_NAMES } from "./datasets.js";
import { lit } from "./internal/logpush-sql.js";
import type { AuditDb } from "./open-db.js";
import { makeOutputFolder } from "../outputs/atomic-file.js";

/** Each exported table and the time it is partitioned by. */
export const EXPORT_TABLES: ReadonlyArray<readonly [string, string]> = [
  ...DATASET_NAMES.map((n) => [n, DATASETS[n].time] as const),
  ["recordings", "started_at"],
  ["commands", "ts"],
  ["transcripts", "ts"], // the view: recordings' lines and the payloads' lines
  ["ingested_files", "ingested_at"],
];

export interface ExportedTable { table: string; rows: number; path: string }

/**
 * Exports every table under `outDir`. Refuses to write over an existing table folder unless
 * `force` (then that folder's partitions are replaced).
 *
 * @example await exportParquet(db, "warehouse", { force: true })
 */
export async function exportParquet(db: AuditDb, outDir: string, opts: { force?: boolean } = {}): Promise<ExportedTable[]> {
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) {
    throw new OutputError(`${outDir} is a file; give a folder for the Parquet export with --out.`, { file: outDir });
  }
  for (const [t] of EXPORT_TABLES) {
    const p = join(outDir, t);
    if (!opts.force && existsSync(p) && readdirSync(p).length > 0) {
      throw new OutputError(`${p} already holds an export; pass --force to replace it, or choose another --out folder.`, { file: p }, ErrorCode.OutputExists);
    }
  }
  await makeOutputFolder(outDir, "folder", "check the path and its permissions, or choose another --out folder");
  const out: ExportedTable[] = [];
  for (const [t, time] of EXPORT_TABLES) {
    const path = join(outDir, t);
    const rows = Number((await db.rows<{ n: bigint }>(`SELECT count(*) AS n FROM ${t}`))[0]?.n ?? 0);
    if (rows > 0) {
      await db.run(`COPY (SELECT *, coalesce(strftime("${time}", '%Y-%m-%d'), '__HIVE_DEFAULT_PARTITION__') AS day FROM ${t})
        TO ${lit(path)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (day)${opts.force ? ", OVERWRITE" : ""})`);
    }
    out.push({ table: t, rows, path });
  }
  return out;
}
