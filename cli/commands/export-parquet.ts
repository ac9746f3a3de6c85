import type { Command } from "commander";
import type { CliIo } from "../io.js";
import { dbOption } from "./audit-options.js";

/** `ssh-log export-parquet`: every table to Parquet, Hive-partitioned by day. */
export function registerExportParquet(program: Command, io: CliIo): void {
  program
    .command("export-parquet")
    .description("write every table of the audit database to Parquet, Hive-partitioned by day (for Spark, Trino, Athena, ClickHouse)")
    .requiredOption("--out <folder>", "where to write (OUT/<table>/day=YYYY-MM-DD/*.parquet)")
    .addOption(dbOption())
    .option("--force", "replace an earlier export in the same folder")
    .option("--json", "print what was written as JSON")
    .action(async (flags: { out: string; db: string; force?: boolean; json?: boolean }) => {
      const { openAuditDb } = await import("../../lib/audit/open-db.js");
      const { exportParquet } = await import("../../lib/audit/export-parquet.js");
      const db = await openAuditDb(flags.db);
      try {
        const r = await exportParquet(db, flags.out, { force: flags.force === true });
        if (flags.json) { io.out(JSON.stringify({ out: flags.out, tables: r }, null, 2)); return; }
        for (const t of r) io.err(`${t.table.padEnd(28)} ${String(t.rows).padStart(10)} rows${t.rows > 0 ? `  ${t.path}/` : "  (empty: no files)"}`);
        io.err(`Wrote Parquet under ${flags.out}; read it back with read_parquet('${flags.out}/TABLE/*/*.parquet', hive_partitioning = true).`);
      } finally {
        db.close();
      }
    });
}
