import { UsageError } from "../../errors.js";
import type { AuditDb } from "../open-db.js";

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
    const m = err instanceof Error ? err.message : String(err);
    const why = (m.split("\n")[0] ?? m).replace(/^[A-Z][A-Za-z ]* Error: /, "").replace(/\.$/, "");
    throw new UsageError(say(why), { cause: err, ...(file !== undefined ? { file } : {}) });
  }
}
