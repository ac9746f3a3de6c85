import type { Command } from "commander";
import { UsageError } from "../../lib/errors.js";
import type { CliIo } from "../io.js";
import { checkFormat, tableWidth } from "./query.js";
import { dbOption, filterOptions, formatOption } from "./audit-options.js";

interface SearchFlags {
  db: string; format: string; user?: string; target?: string; since?: string; until?: string;
  regex?: boolean; in: string; limit: string;
}

/** `ssh-log search`: text in commands and session output. */
export function registerSearch(program: Command, io: CliIo): void {
  const cmd = program
    .command("search")
    .description("find text in the commands typed and the output shown, with session, user, target, time and replay offset")
    .argument("<text>", "the text (case-insensitive; with --regex an RE2 regular expression)")
    .addOption(dbOption())
    .addOption(formatOption());
  for (const o of filterOptions()) cmd.addOption(o);
  cmd
    .option("--regex", "treat the text as an RE2 regular expression")
    .option("--in <where>", "all, commands or output", "all")
    .option("--limit <n>", "most rows to show", "1000")
    .action(async (text: string, flags: SearchFlags) => {
      const format = await checkFormat(flags.format);
      if (!["all", "commands", "output"].includes(flags.in)) throw new UsageError(`--in ${flags.in} is not one of all, commands, output.`);
      const limit = Number(flags.limit);
      if (!/^\d+$/.test(flags.limit) || limit < 1) throw new UsageError(`--limit ${flags.limit} is not a positive whole number.`);
      const { openAuditDb } = await import("../../lib/audit/open-db.js");
      const { searchText } = await import("../../lib/audit/search.js");
      const { writeResult } = await import("../../lib/audit/format-result.js");
      const db = await openAuditDb(flags.db);
      try {
        const rs = await searchText(db, text, {
          user: flags.user ?? null, target: flags.target ?? null, since: flags.since ?? null, until: flags.until ?? null,
          regex: flags.regex === true, in: flags.in as "all" | "commands" | "output", limit,
        });
        await writeResult(rs, format, (s) => { io.stdout.write(s); }, { width: tableWidth(io), note: (l) => { if (format === "table") io.err(l); } });
      } finally {
        db.close();
      }
    });
}
