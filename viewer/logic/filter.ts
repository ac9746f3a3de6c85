/**
 * The list filter: what `/` types. Each free word must match somewhere (user, target, unix user,
 * program or command text), so `root rm -rf` finds root sessions with rm -rf; "double quotes" keep
 * words together as one phrase. `user:`, `target:`, `cmd:` narrow to one field (`cmd:"rm -rf"`),
 * and `is:root`, `is:risky`, `is:denied`, `is:truncated`, `is:noexit` keep flagged sessions.
 */
import { Flag, type SessionRow, type SortKey } from "../source.js";

/** A parsed filter: every part must match (AND); each value is lower-case. */
export interface Filter {
  /** Free words and quoted phrases: each a substring of some searchable field. */
  terms: string[];
  user: string[];
  target: string[];
  cmd: string[];
  flags: Flag[];
}

const FLAG_NAMES = new Map<string, Flag>([
  ["root", Flag.Root], ["risky", Flag.Risky], ["denied", Flag.Denied],
  ["truncated", Flag.Truncated], ["cut", Flag.Truncated], ["noexit", Flag.NoExit],
]);

// A word, a "quoted phrase" (the closing quote may not be typed yet), or key:"quoted phrase".
const TOKEN = /([a-z]+):"([^"]*)"?|"([^"]*)"?|(\S+)/gi;

/**
 * Parses filter text. Unknown `key:` words are kept as plain words, so nothing typed is lost.
 *
 * @example parseFilter('is:root rm "-rf /"') // { terms: ["rm", "-rf /"], flags: ["root"], user: [], target: [], cmd: [] }
 */
export function parseFilter(text: string): Filter {
  const f: Filter = { terms: [], user: [], target: [], cmd: [], flags: [] };
  for (const m of text.toLowerCase().matchAll(TOKEN)) {
    const [, qKey, qValue, phrase, word] = m;
    if (qKey !== undefined && (qKey === "user" || qKey === "target" || qKey === "cmd")) {
      if (qValue!.trim() !== "") f[qKey].push(qValue!);
      continue;
    }
    if (qKey !== undefined) { f.terms.push(`${qKey}:${qValue}`); continue; }
    if (phrase !== undefined) { if (phrase.trim() !== "") f.terms.push(phrase); continue; }
    const w = word!;
    const colon = w.indexOf(":");
    const key = colon > 0 ? w.slice(0, colon) : "";
    const value = colon > 0 ? w.slice(colon + 1) : "";
    if (value !== "" && (key === "user" || key === "target" || key === "cmd")) f[key].push(value);
    else if (key === "is" && FLAG_NAMES.has(value)) {
      const flag = FLAG_NAMES.get(value)!;
      if (!f.flags.includes(flag)) f.flags.push(flag);
    } else f.terms.push(w);
  }
  return f;
}

const has = (field: string | null, needle: string): boolean => field !== null && field.toLowerCase().includes(needle);

/**
 * Whether a row (and the text of its commands, lower-cased, one per line) passes the filter. The
 * DuckDB source builds the same test in SQL; this one serves sources held in memory.
 *
 * @example matchesFilter(parseFilter("alice"), row, "ls\nrm -rf /tmp") // true when row.user is alice@...
 */
export function matchesFilter(f: Filter, row: SessionRow, commandsLower: string): boolean {
  for (const flag of f.flags) if (!row.flags.includes(flag)) return false;
  for (const u of f.user) if (!has(row.user, u) && !has(row.unixUser, u)) return false;
  for (const t of f.target) if (!has(row.target, t)) return false;
  for (const c of f.cmd) if (!commandsLower.includes(c)) return false;
  for (const p of f.terms) {
    if (!has(row.user, p) && !has(row.target, p) && !has(row.unixUser, p) && !has(row.program, p) && !commandsLower.includes(p)) return false;
  }
  return true;
}

/**
 * Orders rows for a sort key; ties fall back to newest first, then id, so the order is total and
 * paging is stable.
 *
 * @example rows.sort(compareRows("longest"))
 */
export function compareRows(sort: SortKey): (a: SessionRow, b: SessionRow) => number {
  const newest = (a: SessionRow, b: SessionRow): number => b.startedAt - a.startedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const text = (pick: (r: SessionRow) => string | null) => (a: SessionRow, b: SessionRow): number => {
    const x = pick(a);
    const y = pick(b);
    if (x === y) return newest(a, b);
    if (x === null) return 1;
    if (y === null) return -1;
    return x.localeCompare(y) || newest(a, b);
  };
  switch (sort) {
    case "newest": return newest;
    case "oldest": return (a, b) => -newest(a, b);
    case "longest": return (a, b) => {
      const x = a.durationSec;
      const y = b.durationSec;
      if (x === y) return newest(a, b);
      if (x === null) return 1;
      if (y === null) return -1;
      return y - x;
    };
    case "user": return text((r) => r.user ?? r.unixUser);
    case "target": return text((r) => r.target);
  }
}
