import { UsageError } from "../../errors.js";
import { type AuditDb, duckdbReason } from "../open-db.js";

/**
 * Compiles `pattern` in DuckDB's RE2 and, when it does not compile, throws a UsageError whose
 * sentence `say` makes from RE2's reason (DuckDB's words without its "Invalid Input Error:").
 *
 * @example await checkRe2(db, "(x", (why) => `(x is not a valid RE2 regular expression (${why}).`);
 */
export async function checkRe2(db: AuditDb, pattern: string, say: (why: string) => string, file?: string): Promise<void> {
  try {
    await db.con.run(`SELECT regexp_matches('', $p)`, { p: pattern });
  } catch (err) {
    throw new UsageError(say(duckdbReason(err)), { cause: err, ...(file !== undefined ? { file } : {}) });
  }
}
