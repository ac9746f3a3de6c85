import { compareRows, matchesFilter, parseFilter } from "../../../viewer/logic/filter.js";
import { Flag, type ListPage, type ListQuery, type SessionDetail, type SessionRow, type SessionSource } from "../../../viewer/source.js";
import type { Session } from "../../../lib/session/model.js";
import { UsageError } from "../../../lib/errors.js";

/**
 * A SessionSource over rows held in memory, for screen tests: it implements the viewer's own
 * interface (filter, sort, paging) with the same plain functions the file source uses, and
 * counts the pages asked so tests can check the list only fetches what it shows.
 */
export class MemorySource implements SessionSource {
  readonly title = "memory";
  readonly asked: ListQuery[] = [];
  constructor(readonly rows: SessionRow[], private readonly commands: Map<string, string[]> = new Map()) {}

  async list(q: ListQuery): Promise<ListPage> {
    this.asked.push(q);
    const f = parseFilter(q.filter);
    const hit = this.rows.filter((r) => matchesFilter(f, r, (this.commands.get(r.id) ?? []).join("\n").toLowerCase())).sort(compareRows(q.sort));
    return { offset: q.offset, rows: hit.slice(q.offset, q.offset + q.limit), total: hit.length };
  }

  async detail(id: string): Promise<SessionDetail> {
    const row = this.rows.find((r) => r.id === id)!;
    return {
      row,
      fields: [["Id", id], ["User", row.user ?? "-"]],
      context: [{ at: row.startedAt - 600, kind: "denied", text: `${row.user} denied at app.example.com` }],
      commands: (this.commands.get(id) ?? []).map((text, i) => ({ atMicros: (i + 1) * 1_000_000, text, risky: text.includes("rm -rf") })),
      problem: null,
    };
  }

  async open(id: string): Promise<Session> {
    throw new UsageError(`memory source cannot replay ${id}`);
  }

  async close(): Promise<void> {}
}

/** `n` rows, newest first by index: row i started i minutes before a fixed time. */
export function makeRows(n: number): SessionRow[] {
  const users = ["alice@example.com", "bob@example.com", "carol@example.com", "dave@contractor.io"];
  return Array.from({ length: n }, (_, i) => ({
    id: `s${i}`,
    startedAt: 1_791_960_738 - i * 60,
    user: users[i % users.length]!,
    target: `tgt-web-${String(i % 7).padStart(2, "0")}`,
    unixUser: i % 5 === 0 ? "root" : "deploy",
    program: "shell",
    durationSec: (i % 50) * 37,
    exit: i % 9 === 0 ? "1" : "0",
    flags: i % 5 === 0 ? [Flag.Root] : [],
    problem: null,
  }));
}

/** Waits for Ink to render after input. */
export const tick = (ms = 30): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Key sequences as a terminal sends them. */
export const KEYS = {
  up: "\u001b[A", down: "\u001b[B", right: "\u001b[C", left: "\u001b[D", enter: "\r", esc: "\u001b",
  pageDown: "\u001b[6~", pageUp: "\u001b[5~", ctrlC: "\u0003", backspace: "\u007f",
} as const;

/** Polls until `ok()` holds (Ink renders and sources answer asynchronously); fails after `ms`. */
export async function waitFor(ok: () => boolean, ms = 8000, what: string | (() => string) = "the expected screen"): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${typeof what === "string" ? what : what()}`);
    await tick(10);
  }
}
