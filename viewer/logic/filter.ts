/**
 * The list filter: what `/` types. Free words form one phrase matched anywhere (user, target,
 * unix user, command text); `user:`, `target:`, `cmd:` narrow to one field and `is:root`,
 * `is:risky`, `is:denied`, `is:truncated`, `is:noexit` keep flagged sessions.
 */
import { Flag, type SessionRow, type SortKey } from "../source.js";

/** A parsed filter: every part must match (AND); each value is lower-case. */
export interface Filter {
  /** The free words, joined by one space: matched as a substring of any searchable field. */
  phrase: string;
  user: string[];
  target: string[];
  cmd: string[];
  flags: Flag[];
}

const FLAG_NAMES = new Map<string, Flag>([
  ["root", Flag.Root], ["risky", Flag.Risky], ["denied", Flag.Denied],
  ["truncated", Flag.Truncated], ["cut", Flag.Truncated], ["noexit", Flag.NoExit],
]);

/**
 * Parses filter text. Unknown `is:` values are kept as phrase words, so nothing typed is lost.
 *
 * @example parseFilter("is:root rm -rf") // { phrase: "rm -rf", flags: ["root"], user: [], target: [], cmd: [] }
 */
export function parseFilter(text: string): Filter {
  const f: Filter = { phrase: "", user: [], target: [], cmd: [], flags: [] };
  const words: string[] = [];
  for (const raw of text.trim().split(/\s+/)) {
    if (raw === "") continue;
    const word = raw.toLowerCase();
    const colon = word.indexOf(":");
    const key = colon > 0 ? word.slice(0, colon) : "";
    const value = colon > 0 ? word.slice(colon + 1) : "";
    if (value !== "" && (key === "user" || key === "target" || key === "cmd")) {
      f[key].push(value);
    } else if (key === "is" && FLAG_NAMES.has(value)) {
      const flag = FLAG_NAMES.get(value)!;
      if (!f.flags.includes(flag)) f.flags.push(flag);
    } else {
      words.push(word);
    }
  }
  f.phrase = words.join(" ");
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
  if (f.phrase !== "") {
    const p = f.phrase;
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
