import { DATASETS, type Dataset, type DatasetName } from "../datasets.js";

/** Longest NDJSON line read (an ssh_logs Payload holds a whole recording in base64). */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/** A SQL string literal. */
export function lit(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

function ident(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}

/**
 * The files' lines as rows (line, filename): DuckDB's CSV reader with a delimiter that cannot
 * occur in JSON text, so each line arrives whole and unparsed; JSON parsing happens once, in
 * `json_transform`, with the dataset's explicit structure.
 */
export function linesSource(files: string[], gzip: boolean): string {
  return `read_csv([${files.map(lit).join(", ")}], columns={'line': 'VARCHAR'}, delim=E'\\x01', quote='', escape='', header=false, auto_detect=false, new_line='\\n', filename=true, compression=${gzip ? "'gzip'" : "'none'"}, max_line_size=${MAX_LINE_BYTES}, strict_mode=false, null_padding=true)`;
}

/** `read_ndjson` over files with the dataset's explicit columns (times as text, converted after). */
function ndjsonSource(d: Dataset, files: string[], gzip: boolean): string {
  const cols = d.fields.map(([n, t]) => `${lit(n)}: ${lit(t === "TIMESTAMPTZ" ? "VARCHAR" : t)}`).join(", ");
  return `read_ndjson([${files.map(lit).join(", ")}], columns={${cols}}, compression=${gzip ? "'gzip'" : "'uncompressed'"}, filename=true, maximum_object_size=${MAX_LINE_BYTES})`;
}

/** The json_transform structure of a dataset: times read as text, converted after. */
function structure(d: Dataset): string {
  const o: Record<string, unknown> = {};
  for (const [n, t] of d.fields) o[n] = t === "TIMESTAMPTZ" ? "VARCHAR" : t === "VARCHAR[]" ? ["VARCHAR"] : t;
  return JSON.stringify(o);
}

export interface InsertOptions {
  dataset: DatasetName;
  /**
   * Where the records come from: NDJSON files read by DuckDB's own `read_ndjson` with the
   * dataset's explicit columns (the fast path), or a FROM item yielding (line VARCHAR, filename
   * VARCHAR) parsed with `json_transform` (when unknown fields are kept, and for the careful path).
   */
  source: { files: string[]; gzip: boolean } | string;
  ingestId: number;
  withExtra: boolean;
  /** "error": a record without its key fails the statement (fast path); "skip": it is left out. */
  missingKey: "error" | "skip";
  /** Leave out records whose key is already stored (false only when the table is empty). */
  antiJoin: boolean;
}

/**
 * INSERT of new records: parsed with the dataset's explicit structure, times converted, records
 * whose key is already stored left out. Keys repeated within the batch are removed after it by
 * `dedupeBatchSql` (rare, and far cheaper to find afterwards than to rule out row by row).
 *
 * @example await con.run(insertSql({ dataset: "access_requests", source: linesSource(files, true), ingestId: 1, withExtra: false, missingKey: "error", antiJoin: true }));
 * @example await con.run(insertSql({ dataset: "ssh_logs", source: { files, gzip: true }, ingestId: 1, withExtra: false, missingKey: "error", antiJoin: false }));
 */
export function insertSql(o: InsertOptions): string {
  const d = DATASETS[o.dataset];
  const select = d.fields.map(([n, t]) => (t === "TIMESTAMPTZ" ? `ssh_log_ts(n.${ident(n)}) AS ${ident(n)}` : `n.${ident(n)}`));
  const keyNull = d.key.map((k) => `n.${ident(k)} IS NULL`).join(" OR ");
  const keyCheck = o.missingKey === "error"
    ? `(CASE WHEN ${keyNull} THEN error('ssh-log: a record without ${d.key.join(" and ")}') ELSE true END)`
    : `NOT (${keyNull})`;
  const keyMatch = d.key.map((k) => `t.${ident(k)} = n.${ident(k)}`).join(" AND ");
  const extra = o.withExtra ? extraSelect(d, "src.line") : "NULL::JSON";
  const from = typeof o.source === "string"
    ? `(
  SELECT unnest(json_transform(src.line, ${lit(structure(d))})), ${extra} AS _extra, src.filename AS _file
  FROM ${o.source} AS src WHERE src.line IS NOT NULL
)`
    : `(SELECT *, NULL::JSON AS _extra, filename AS _file FROM ${ndjsonSource(d, o.source.files, o.source.gzip)})`;
  return `INSERT INTO ${d.name} BY NAME
SELECT ${select.join(", ")}, n._extra, n._file, ${o.ingestId}::INTEGER AS _ingest_id
FROM ${from} AS n
WHERE ${keyCheck}${o.antiJoin ? ` AND NOT EXISTS (SELECT 1 FROM ${d.name} AS t WHERE ${keyMatch})` : ""}`;
}

/**
 * `_extra` over the JSON text `line`: a JSON object of the fields the dataset does not define, or
 * NULL. Only built for files whose first lines showed such fields (a Logpush job writes the same
 * fields in every line), since listing every line's keys costs about as much as the ingest itself.
 */
function extraSelect(d: Dataset, line: string): string {
  const known = `[${d.fields.map(([n]) => lit(n)).join(", ")}]`;
  const unknown = `list_filter(json_keys(${line}), k -> NOT list_contains(${known}, k))`;
  return `CASE WHEN len(${unknown}) = 0 THEN NULL ELSE json_merge_patch('{}', to_json(map_from_entries(list_transform(${unknown}, k -> {'k': k, 'v': json_extract(${line}, '$."' || replace(k, '"', '\\"') || '"')})))) END`;
}

/**
 * The number of distinct keys in a dataset's table: compared with its row count, whether any
 * key is there twice. Cheaper than looking for the records (`dedupeBatchSql`) when there are none.
 *
 * @example const [{ n }] = await db.rows(distinctKeysSql("ssh_logs"));
 */
export function distinctKeysSql(dataset: DatasetName): string {
  return `SELECT count(DISTINCT (${DATASETS[dataset].key.map(ident).join(", ")})) AS n FROM ${dataset}`;
}

/**
 * DELETE of the records of ingest `ingestId` from `files` whose key came more than once in it,
 * keeping the first (by file, then position); run after the batch's INSERT.
 *
 * @example await con.run(dedupeBatchSql("access_requests", 3, files));
 */
export function dedupeBatchSql(dataset: DatasetName, ingestId: number, files: string[]): string {
  const d = DATASETS[dataset];
  const keys = d.key.map(ident).join(", ");
  const mine = `_ingest_id = ${ingestId} AND _file IN (${files.map(lit).join(", ")})`;
  return `DELETE FROM ${d.name} WHERE rowid IN (
  SELECT rid FROM (
    SELECT rowid AS rid, row_number() OVER (PARTITION BY ${keys} ORDER BY _file, rowid) AS n
    FROM ${d.name} WHERE ${mine} AND (${keys}) IN (SELECT (${keys}) FROM ${d.name} WHERE ${mine} GROUP BY ${keys} HAVING count(*) > 1)
  ) WHERE n > 1)`;
}
