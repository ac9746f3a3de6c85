import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAuditDb } from "../../../lib/audit/open-db.js";
import { ingestPaths } from "../../../lib/audit/ingest.js";
import { AuditSessionSource, filterSql, openAuditSource } from "../../../viewer/sources/audit-source.js";
import { loadReplay } from "../../../viewer/sources/load-replay.js";
import { Flag } from "../../../viewer/source.js";
import { SESSIONS_DIR, tempDirWithKey } from "../../helpers/fixtures.js";

const LOGPUSH = fileURLToPath(new URL("../../../fixtures/logpush/", import.meta.url));
const truth = JSON.parse(readFileSync(join(LOGPUSH, "truth.json"), "utf8")) as { ssh_sessions: number; root_sessions: number; sessions_with_rm_rf: number };
const all = { filter: "", sort: "newest" as const, offset: 0, limit: 100 };

let dir: { dir: string; key: string; cleanup: () => void };
let dbPath: string;
let source: AuditSessionSource;

beforeAll(async () => {
  dir = tempDirWithKey();
  dbPath = join(dir.dir, "audit.duckdb");
  const db = await openAuditDb(dbPath, { write: true });
  try {
    await ingestPaths(db, [LOGPUSH, SESSIONS_DIR], { keyPath: dir.key, warn: () => {} });
    // The sample has no denial in the hour before a session: add one, 10 minutes before the newest root session.
    await db.run(`INSERT INTO access_requests (RayID, Action, Allowed, AppDomain, CreatedAt, Email, IPAddress, Country)
      SELECT 'test-denial', 'login', false, 'tgt-db.example.com', started_at - INTERVAL 10 MINUTE, user_email, '198.51.100.7', 'NL'
      FROM sessions WHERE source = 'ssh_logs' AND list_contains(string_split(username, ','), 'root') ORDER BY started_at DESC LIMIT 1`);
  } finally {
    db.close();
  }
  source = await openAuditSource(dbPath, [dir.key]);
});
afterAll(async () => {
  await source?.close();
  dir?.cleanup();
});

describe("audit source", () => {
  it("lists every Logpush session and every recording, newest first, a page at a time", async () => {
    const first = await source.list(all);
    expect(first.total).toBe(truth.ssh_sessions + 7);
    expect(first.rows).toHaveLength(100);
    const second = await source.list({ ...all, offset: 100 });
    expect(second.rows).toHaveLength(first.total - 100);
    const starts = [...first.rows, ...second.rows].map((r) => r.startedAt);
    expect(starts).toEqual([...starts].sort((a, b) => b - a));
    expect(new Set([...first.rows, ...second.rows].map((r) => r.id)).size).toBe(first.total);
    const oldest = await source.list({ ...all, sort: "oldest", limit: 1 });
    expect(oldest.rows[0]!.startedAt).toBe(Math.min(...starts));
  });

  it("flags root and risky sessions the way the store counts them, and filters by flag, user and command", async () => {
    expect((await source.list({ ...all, filter: "is:root user:@" })).total).toBe(truth.root_sessions);
    const rm = await source.list({ ...all, filter: '"rm -rf" user:@', limit: 200 });
    expect(rm.total).toBe(truth.sessions_with_rm_rf);
    expect(rm.rows.every((r) => r.flags.includes(Flag.Risky))).toBe(true);
    const dave = await source.list({ ...all, filter: "user:dave" });
    expect(dave.total).toBeGreaterThan(0);
    expect(dave.rows.every((r) => r.user === "dave@contractor.io")).toBe(true);
    expect((await source.list({ ...all, filter: "is:denied" })).rows.every((r) => r.flags.includes(Flag.Denied))).toBe(true);
    expect((await source.list({ ...all, filter: "nothing-matches-this" })).total).toBe(0);
    // Words need not be side by side: a root session whose commands hold rm -rf.
    const words = await source.list({ ...all, filter: "root rm -rf", limit: 200 });
    expect(words.total).toBeGreaterThan(0);
    expect(words.rows.every((r) => r.unixUser?.includes("root") && r.flags.includes(Flag.Risky))).toBe(true);
  });

  it("builds the same WHERE for the same filter, with values as parameters", () => {
    expect(filterSql("")).toEqual({ where: "true", params: [] });
    const f = filterSql("is:root O'Brien");
    expect(f.params).toEqual(["o'brien"]);
    expect(filterSql('"rm -rf" x').params).toEqual(["rm -rf", "x"]);
    expect(f.where).not.toContain("O'Brien");
    expect(f.where.startsWith("f_root AND")).toBe(true);
  });

  it("gives a session's details: metadata, the access of the hour before, and its commands", async () => {
    const denied = await source.list({ ...all, filter: "is:denied" });
    expect(denied.total).toBe(1);
    const row = denied.rows[0]!;
    expect(row.flags).toContain(Flag.Root);
    const d = await source.detail(row!.id);
    expect(d.problem).toBeNull();
    expect(d.fields.find(([k]) => k === "User")![1]).toContain(row!.user!);
    expect(d.context.find((c) => c.kind === "denied")?.text).toContain("tgt-db.example.com");
    expect(d.context.every((c) => c.at <= row!.startedAt && c.at >= row!.startedAt - 3600)).toBe(true);
    expect(d.commands.length).toBeGreaterThan(0);
    expect(d.commands.every((c) => c.atMicros >= 0)).toBe(true);
  });

  it("replays a Logpush session from its rm -rf", async () => {
    const [row] = (await source.list({ ...all, filter: "is:root rm -rf", limit: 1 })).rows;
    const model = await loadReplay(source, row!);
    try {
      const rm = model.commands.find((c) => c.text.includes("rm -rf"))!;
      expect((await model.seek(rm.atMicros)).lines.join("\n")).toContain("rm -rf");
      expect(model.search("rm -rf").length).toBeGreaterThan(0);
    } finally {
      model.dispose();
    }
  });

  it("replays an indexed capture with the key", async () => {
    const [row] = (await source.list({ ...all, filter: "pty-exit-status" })).rows;
    expect(row).toBeDefined();
    const model = await loadReplay(source, row!);
    try {
      expect([model.cols, model.rows]).toEqual([80, 24]);
      const end = await model.seek(model.duration);
      expect(end.lines.join("\n")).toContain("uname");
    } finally {
      model.dispose();
    }
  });
});

describe("a database another process holds", () => {
  let holder: ChildProcess | null = null;
  afterAll(() => { holder?.kill("SIGKILL"); });

  it("reports ERR_DATABASE_LOCKED on the list, then works once it is free", async () => {
    const locked = await openAuditSource(dbPath, []);
    // DuckDB closes an instance (and lets go of the file's lock) when it is garbage collected, so
    // the holder keeps its own in a global, and collects once (after the opening code has
    // returned) before saying "held", to prove it.
    const script = `import("@duckdb/node-api").then(async ({ DuckDBInstance }) => { const i = await DuckDBInstance.create(${JSON.stringify(dbPath)}); globalThis.held = [i, await i.connect()]; setTimeout(() => { gc(); setTimeout(() => process.stdout.write("held\\n"), 20); }, 0); setTimeout(() => {}, 60000); });`;
    await source.close();
    holder = spawn(process.execPath, ["--expose-gc", "--input-type=module", "-e", script], { cwd: fileURLToPath(new URL("../../../", import.meta.url)), stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve, reject) => {
      holder!.stdout!.on("data", (d: Buffer) => { if (d.toString().includes("held")) resolve(); });
      holder!.on("exit", () => reject(new Error("the holder exited early")));
    });
    await expect(locked.list(all)).rejects.toMatchObject({ code: "ERR_DATABASE_LOCKED" });
    holder.kill("SIGKILL");
    await new Promise((r) => holder!.once("exit", r));
    holder = null;
    expect((await locked.list(all)).total).toBe(truth.ssh_sessions + 7);
    await locked.close();
    source = await openAuditSource(dbPath, [dir.key]);
  });
});

describe("commands across the detail and the replay", () => {
  it("finds the command chosen in the detail on the replay's timeline of a many-program session", async () => {
    const [row] = (await source.list({ ...all, filter: "is:root rm -rf", limit: 1 })).rows;
    const d = await source.detail(row!.id);
    const model = await loadReplay(source, row!);
    try {
      for (const c of d.commands) {
        const placed = model.commands.find((m) => m.id === c.id);
        expect(placed, c.text).toBeDefined();
        expect(placed!.text).toBe(c.text);
        const screen = (await model.seek(placed!.atMicros)).lines.join("\n");
        expect(screen).toContain(c.text);
      }
    } finally {
      model.dispose();
    }
  });
});
