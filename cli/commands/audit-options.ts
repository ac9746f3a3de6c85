import { Option } from "commander";
import { DEFAULT_DB_PATH } from "../../lib/audit/defaults.js";

/**
 * The options every audit-store command shares, defined once.
 *
 * @example program.command("query").addOption(dbOption()).addOption(formatOption())
 */
export function dbOption(): Option {
  return new Option("--db <file>", "the audit database").default(DEFAULT_DB_PATH);
}

/**
 * --since, --until, --user and --target, as report and search read them (the store's
 * ssh_log_within, ssh_log_match and ssh_log_user macros).
 */
export function filterOptions(): Option[] {
  return [
    new Option("--since <date>", "from this date or ISO date-time (UTC unless it has an offset)"),
    new Option("--until <date>", "before this date-time; a date alone includes that whole day"),
    new Option("--user <who>", "an email or unix user; globs work (\"*@contractor.io\")"),
    new Option("--target <target>", "a TargetID (or, for access requests, the AppDomain), its first label, or a glob (\"*prod*\")"),
  ];
}

/** --format for commands that print rows. */
export function formatOption(): Option {
  return new Option("--format <format>", "table, csv, json (one array of row objects) or ndjson").default("table");
}
