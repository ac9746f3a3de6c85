import type { Command } from "commander";
import { UsageError } from "../../lib/errors.js";
import type { CliIo } from "../io.js";
import { dbOption, formatOption } from "./audit-options.js";

interface QueryFlags { db: string; format: string }

/** Reads all of stdin (for `ssh-log query -`). */
async function readStdin(io: CliIo): Promise<string> {
  let s = "";
  for await (const c of io.stdin) s += typeof c === "string" ? c : (c as Buffer).toString("utf8");
  return s;
}

/** The width a table may use: the terminal's, else $COLUMNS, else unbounded (a pipe gets whole values). */
export function tableWidth(io: CliIo): number {
  if (io.stdout.isTTY && io.stdout.columns) return io.stdout.columns;
  const env = Number(io.env.COLUMNS);
  return Number.isInteger(env) && env > 0 ? env : Number.MAX_SAFE_INTEGER;
}

/** Checks --format. */
export async function checkFormat(f: string): Promise<"table" | "csv" | "json" | "ndjson"> {
  const { FORMATS } = await import("../../lib/audit/format-result.js");
  if (!(FORMATS as readonly string[]).includes(f)) throw new UsageError(`--format ${f} is not one of ${FORMATS.join(", ")}.`);
  return f as "table" | "csv" | "json" | "ndjson";
}

/** `ssh-log query`: any SQL over the audit database. */
export function registerQuery(program: Command, io: CliIo): void {
  program
    .command("query")
    .description("run any SQL over the audit database (read-only) and print the rows")
    .argument("<sql>", "the SQL, or - to read it from stdin")
    .addOption(dbOption())
    .addOption(formatOption())
    .addHelpText("after", `
Tables: access_requests, ssh_logs, zero_trust_network_sessions (Cloudflare's field names),
recordings, commands, transcripts, ingested_files; views: sessions, programs. See the README.
Example: ssh-log query "SELECT Email, count(*) FROM access_requests WHERE NOT Allowed GROUP BY 1"`)
    .action(async (sqlArg: string, flags: QueryFlags) => {
      const format = await checkFormat(flags.format);
      const sql = sqlArg === "-" ? await readStdin(io) : sqlArg;
      const { openAuditDb } = await import("../../lib/audit/open-db.js");
      const { runQuery } = await import("../../lib/audit/query.js");
      const { writeResult } = await import("../../lib/audit/format-result.js");
      const db = await openAuditDb(flags.db);
      try {
        const rs = await runQuery(db, sql);
        await writeResult(rs, format, (s) => { io.stdout.write(s); }, { width: tableWidth(io), note: (l) => { if (format === "table") io.err(l); } });
      } finally {
        db.close();
      }
    });
}
