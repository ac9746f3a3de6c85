/**
 * Audit-store defaults, in a module with no imports, so the CLI can name them in its options
 * without loading the store (DuckDB, the schema) on start-up.
 *
 * @example new Option("--db <file>").default(DEFAULT_DB_PATH)
 */
export const DEFAULT_DB_PATH = "ssh-audit.duckdb";
