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

/** --format for commands that print rows. */
export function formatOption(): Option {
  return new Option("--format <format>", "table, csv, json (one array of row objects) or ndjson").default("table");
}
