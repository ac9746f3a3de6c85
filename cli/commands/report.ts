import { readdirSync, readFileSync } from "node:fs";
import type { Command } from "commander";
import { UsageError } from "../../lib/errors.js";
import type { CliIo } from "../io.js";
import { checkFormat, tableWidth } from "./query.js";
import { dbOption, filterOptions, formatOption } from "./audit-options.js";

interface ReportFlags {
  db: string; format: string; since?: string; until?: string; user?: string; target?: string;
  tz?: string; startHour?: string; endHour?: string; weekdaysOnly?: boolean; patterns?: string;
}

/** Each report's name and controls, read from the .sql headers only when help is shown. */
function reportHelp(): string {
  const dir = new URL("../../lib/audit/reports/", import.meta.url);
  try {
    return readdirSync(dir).filter((f) => f.endsWith(".sql")).sort().map((f) => {
      const sql = readFileSync(new URL(f, dir), "utf8");
      const controls = /^-- controls:\s*(.*)$/m.exec(sql)?.[1] ?? "";
      return `  ${f.slice(0, -4).padEnd(20)} ${controls}`;
    }).join("\n");
  } catch {
    return "  (the report files are missing from this installation)";
  }
}

function hour(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d{1,2}$/.test(v) || n > 24) throw new UsageError(`${flag} ${v} is not an hour from 0 to 24.`);
  return n;
}

/** `ssh-log report`: the ready-made compliance reports (lib/audit/reports/*.sql). */
export function registerReport(program: Command, io: CliIo): void {
  const cmd = program
    .command("report")
    .description("run a compliance report over the audit database (no name: list them with the controls they serve)")
    .argument("[name]", "the report")
    .addOption(dbOption())
    .addOption(formatOption());
  for (const o of filterOptions()) cmd.addOption(o);
  cmd
    .option("--tz <zone>", "after-hours: the IANA time zone of the working day (default UTC)")
    .option("--start-hour <h>", "after-hours: the working day starts at this local hour (default 8)")
    .option("--end-hour <h>", "after-hours: the working day ends at this local hour (default 18)")
    .option("--weekdays-only", "after-hours: do not count Saturday and Sunday as after hours")
    .option("--patterns <file>", "risky-commands: replace the pattern list with this file (lines of \"name regex\")")
    .addHelpText("after", () => `\nReports and the controls they serve:\n${reportHelp()}\nSee the README ("Audit store") for what each lists and the default risky-command patterns.`)
    .action(async (name: string | undefined, flags: ReportFlags) => {
      const { listReports, runReport } = await import("../../lib/audit/reports.js");
      if (name === undefined) {
        for (const r of listReports()) {
          io.out(`${r.name}`);
          io.out(`  ${r.title}`);
          io.out(`  Controls: ${r.controls}`);
        }
        io.out("");
        io.out("Run: ssh-log report NAME [--since DATE] [--until DATE] [--user WHO] [--target TARGET] [--format table|csv|json|ndjson]");
        return;
      }
      const format = await checkFormat(flags.format);
      const { openAuditDb } = await import("../../lib/audit/open-db.js");
      const { writeResult } = await import("../../lib/audit/format-result.js");
      const { readPatternsFile } = await import("../../lib/audit/risky-patterns.js");
      const patterns = flags.patterns ? await readPatternsFile(flags.patterns) : undefined;
      const db = await openAuditDb(flags.db);
      try {
        const rs = await runReport(db, name, {
          since: flags.since ?? null, until: flags.until ?? null, user: flags.user ?? null, target: flags.target ?? null,
          ...(flags.tz ? { tz: flags.tz } : {}),
          ...(hour(flags.startHour, "--start-hour") !== undefined ? { startHour: hour(flags.startHour, "--start-hour")! } : {}),
          ...(hour(flags.endHour, "--end-hour") !== undefined ? { endHour: hour(flags.endHour, "--end-hour")! } : {}),
          weekends: !flags.weekdaysOnly,
          ...(patterns ? { patterns } : {}),
        });
        await writeResult(rs, format, (s) => { io.stdout.write(s); }, { width: tableWidth(io), note: (l) => { if (format === "table") io.err(l); } });
      } finally {
        db.close();
      }
    });
}
