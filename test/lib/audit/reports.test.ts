import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuditDb, openAuditDb } from "../../../lib/audit/open-db.js";
import { ingestPaths } from "../../../lib/audit/ingest.js";
import type { ResultSet } from "../../../lib/audit/format-result.js";
import { listReports, runReport } from "../../../lib/audit/reports.js";
import { readPatternsFile } from "../../../lib/audit/risky-patterns.js";
import { searchText } from "../../../lib/audit/search.js";
import { inspectCapture } from "../../../lib/session/inspect-capture.js";
import { fixtureCases, tempDirWithKey } from "../../helpers/fixtures.js";
import { LOGPUSH_DIR, payloadCommands, type Rec, sample, secs, truth } from "./logpush-sample.js";

async function collect(rs: ResultSet): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  for await (const chunk of rs.rows) for (const r of chunk) out.push(Object.fromEntries(rs.columns.map((c, i) => [c, r[i]])));
  return out;
}

/** Logpush sessions computed straight from the sample: one per SessionID. */
function sampleSessions(): Map<string, { user: string; target: string; unix: string; start: number; programs: Rec[] }> {
  const m = new Map<string, { user: string; target: string; unix: string; start: number; programs: Rec[] }>();
  for (const r of sample("ssh_logs")) {
    const id = String(r.SessionID);
    const s = m.get(id) ?? { user: String(r.UserEmail), target: String(r.TargetID), unix: String(r.Username), start: Infinity, programs: [] };
    s.start = Math.min(s.start, secs(r.SessionStartDatetime));
    s.programs.push(r);
    m.set(id, s);
  }
  return m;
}

const ELEVATE = /(^|[;&|(]\s*|\s)(sudo|su|doas|pkexec)(\s|$)/;

describe("compliance reports against counts computed from the raw sample", () => {
  const keyDir = tempDirWithKey();
  let db: AuditDb;
  let cutCapture = "";

  beforeAll(async () => {
    const rec = join(keyDir.dir, "recordings");
    mkdirSync(rec);
    for (const c of fixtureCases()) copyFileSync(c.log, join(rec, `${c.name}.log`));
    // A capture cut short: indexed up to the cut, and reported as damaged.
    const whole = readFileSync(fixtureCases().find((c) => c.name === "pty-exit0")!.log);
    cutCapture = join(rec, "cut-short.log");
    writeFileSync(cutCapture, whole.subarray(0, Math.floor(whole.length * 0.6)));
    db = await openAuditDb(join(keyDir.dir, "audit.duckdb"), { write: true });
    const s = await ingestPaths(db, [LOGPUSH_DIR, rec], { keyPath: keyDir.key });
    expect(s.badFiles).toEqual([]);
    expect(s.partial.map((p) => p.path)).toEqual([cutCapture]);
  });
  afterAll(() => { db.close(); keyDir.cleanup(); });

  it("lists every report with the controls it serves", () => {
    const r = listReports();
    expect(r.map((x) => x.name)).toEqual(["after-hours", "denied-access", "first-access", "privileged-sessions", "risky-commands", "unterminated", "user-activity"]);
    for (const x of r) {
      expect(x.title.length, x.name).toBeGreaterThan(10);
      expect(x.controls, x.name).toMatch(/PCI DSS|SOC 2/);
    }
  });

  it("denied-access: by user, app and country, as counted from the records", async () => {
    const expected = new Map<string, number>();
    for (const r of sample("access_requests")) {
      if (r.Allowed !== false) continue;
      const k = `${r.Email}|${r.AppDomain}|${r.Country}`;
      expected.set(k, (expected.get(k) ?? 0) + 1);
    }
    const rows = await collect(await runReport(db, "denied-access"));
    expect(new Map(rows.map((r) => [`${r.user}|${r.app}|${r.country}`, Number(r.denials)]))).toEqual(expected);
    const byUser: Record<string, number> = {};
    for (const r of rows) byUser[String(r.user)] = (byUser[String(r.user)] ?? 0) + Number(r.denials);
    expect(byUser).toEqual(truth().access_denied_by_user);
  });

  it("denied-access: --user, --since and --until filter like the records say", async () => {
    const since = "2026-10-15";
    const until = "2026-11-14"; // a date alone: up to the end of that day
    const lo = secs("2026-10-15T00:00:00Z");
    const hi = secs("2026-11-15T00:00:00Z");
    const want = sample("access_requests").filter((r) => r.Allowed === false && r.Email === "dave@contractor.io" && secs(r.CreatedAt) >= lo && secs(r.CreatedAt) < hi).length;
    const rows = await collect(await runReport(db, "denied-access", { user: "dave@contractor.io", since, until }));
    expect(rows.reduce((n, r) => n + Number(r.denials), 0)).toBe(want);
    expect(new Set(rows.map((r) => r.user))).toEqual(new Set(want > 0 ? ["dave@contractor.io"] : []));
    const glob = await collect(await runReport(db, "denied-access", { user: "*@contractor.io" }));
    expect(glob.reduce((n, r) => n + Number(r.denials), 0)).toBe(truth().access_denied_by_user["dave@contractor.io"]);
  });

  it("privileged-sessions: root logins plus sessions that ran sudo, su, doas or pkexec", async () => {
    const expected = new Set<string>();
    for (const [id, s] of sampleSessions()) {
      if (s.programs.some((p) => p.Username === "root") || s.programs.some((p) => payloadCommands(p).some((c) => ELEVATE.test(c)))) expected.add(id);
    }
    const rows = (await collect(await runReport(db, "privileged-sessions"))).filter((r) => r.source === "ssh_logs");
    expect(new Set(rows.map((r) => r.session_id))).toEqual(expected);
    expect(rows.filter((r) => String(r.reason).startsWith("root")).length).toBe(truth().root_sessions);
    // The recordings: pty-exit0 typed "sudo systemctl restart nginx".
    const recs = (await collect(await runReport(db, "privileged-sessions"))).filter((r) => r.source === "recording");
    expect(recs.some((r) => String(r.elevating_commands).includes("sudo systemctl restart nginx"))).toBe(true);
  });

  it("--user matches the unix user as well as the email", async () => {
    // Sessions whose every program logged in as root: each is a root login, found by --user root.
    const root = [...sampleSessions()].filter(([, s]) => s.programs.every((p) => p.Username === "root")).map(([id]) => id);
    expect(root.length).toBeGreaterThan(0);
    const rows = (await collect(await runReport(db, "privileged-sessions", { user: "root" }))).filter((r) => r.source === "ssh_logs");
    expect(new Set(rows.map((r) => r.session_id))).toEqual(new Set(root));
  });

  it("risky-commands: rm -rf in as many sessions as truth.json counts, each with its command", async () => {
    const rows = await collect(await runReport(db, "risky-commands"));
    const rmrf = rows.filter((r) => r.pattern === "rm-rf" && r.source === "ssh_logs");
    expect(new Set(rmrf.map((r) => r.session_id)).size).toBe(truth().sessions_with_rm_rf);
    for (const r of rmrf) expect(String(r.command)).toMatch(/rm -rf/);
    const fromSample = sample("ssh_logs").flatMap((p) => payloadCommands(p).filter((c) => c.includes("rm -rf")));
    expect(rmrf.length).toBe(fromSample.length);
    // The default list does not flag reading /etc/passwd.
    expect(rows.some((r) => String(r.command).startsWith("cat /etc/passwd"))).toBe(false);
  });

  it("risky-commands: a pattern list of one's own replaces the default", async () => {
    const rows = await collect(await runReport(db, "risky-commands", { patterns: [{ name: "psql", pattern: "^psql\\b", why: "" }] }));
    const want = sample("ssh_logs").flatMap((p) => payloadCommands(p).filter((c) => /^psql\b/.test(c))).length;
    expect(rows.filter((r) => r.source === "ssh_logs").length).toBe(want);
    expect(new Set(rows.map((r) => r.pattern))).toEqual(new Set(["psql"]));
    await expect(runReport(db, "risky-commands", { patterns: [{ name: "bad", pattern: "(", why: "" }] })).rejects.toMatchObject({ code: "ERR_USAGE" });
  });

  it("risky-commands: a pattern that does not compile is named by its file and line, in RE2's words", async () => {
    const file = join(keyDir.dir, "pats.txt");
    writeFileSync(file, "# mine\nok\tls\n\nbad\t(unclosed\n");
    const err = await runReport(db, "risky-commands", { patterns: await readPatternsFile(file) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "ERR_USAGE", file });
    expect((err as Error).message).toBe(`Line 4 of ${file}, (unclosed, is not a valid RE2 regular expression (missing ): (unclosed); fix it and run the report again.`);
    // Nothing but the macro holds the patterns.
    expect(await db.rows("SELECT table_name FROM duckdb_tables() WHERE table_name = 'risky_patterns'")).toEqual([]);
  });

  it("search --regex: an expression that does not compile, in RE2's words", async () => {
    const err = await searchText(db, "(unclosed", { regex: true }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "ERR_USAGE" });
    expect((err as Error).message).toBe("(unclosed is not a valid RE2 regular expression (missing ): (unclosed); fix it, or leave out --regex to look for the text as it is.");
  });

  it("after-hours: outside 09-17 or at the weekend in New York, as Intl computes it", async () => {
    const fmt = new Intl.DateTimeFormat("en-US", { timeZone: "America/New_York", hour: "numeric", hourCycle: "h23", weekday: "short" });
    const expected = new Set<string>();
    for (const [id, s] of sampleSessions()) {
      const parts = fmt.formatToParts(new Date(s.start * 1000));
      const h = Number(parts.find((p) => p.type === "hour")!.value);
      const wd = parts.find((p) => p.type === "weekday")!.value;
      if (h < 9 || h >= 17 || wd === "Sat" || wd === "Sun") expected.add(id);
    }
    const rows = await collect(await runReport(db, "after-hours", { tz: "America/New_York", startHour: 9, endHour: 17 }));
    expect(new Set(rows.filter((r) => r.source === "ssh_logs").map((r) => r.session_id))).toEqual(expected);
    const weekdays = await collect(await runReport(db, "after-hours", { tz: "America/New_York", startHour: 9, endHour: 17, weekends: false, target: "tgt-prod-db" }));
    for (const r of weekdays) expect(r.target).toBe("tgt-prod-db");
    await expect(runReport(db, "after-hours", { tz: "Mars/Olympus" })).rejects.toMatchObject({ code: "ERR_USAGE" });
    await expect(runReport(db, "after-hours", { startHour: 18, endHour: 8 })).rejects.toMatchObject({ code: "ERR_USAGE" });
  });

  it("unterminated: the recordings without an exit record and the cut capture, no Logpush session", async () => {
    const noExit: string[] = [];
    for (const c of fixtureCases()) if ((await inspectCapture(c.log)).header?.exit === null) noExit.push(`${c.name}.log`);
    const rows = await collect(await runReport(db, "unterminated"));
    expect(rows.filter((r) => r.source === "ssh_logs")).toEqual([]);
    const byFile = new Map(rows.map((r) => [String(r.recording_path).split("/").pop(), String(r.reason)]));
    expect([...byFile.keys()].sort()).toEqual([...noExit, "cut-short.log"].sort());
    expect(byFile.get("cut-short.log")).toMatch(/^capture damaged/);
  });

  it("first-access: the first session of each user on each target", async () => {
    const firsts = new Map<string, { start: number; id: string }>();
    for (const [id, s] of sampleSessions()) {
      const k = `${s.user}|${s.target}`;
      const f = firsts.get(k);
      if (!f || s.start < f.start) firsts.set(k, { start: s.start, id });
    }
    const lo = secs("2026-11-01T00:00:00Z");
    const want = [...firsts].filter(([, f]) => f.start >= lo).map(([k, f]) => `${k}|${f.id}`).sort();
    const rows = await collect(await runReport(db, "first-access", { since: "2026-11-01" }));
    expect(rows.map((r) => `${r.user}|${r.target}|${r.session_id}`).sort()).toEqual(want);
  });

  it("user-activity: logins, denials, sessions, commands and bytes per user", async () => {
    const want = new Map<string, { logins: number; denials: number; sessions: number; commands: number; bytes: number }>();
    const get = (u: string): { logins: number; denials: number; sessions: number; commands: number; bytes: number } => {
      const v = want.get(u) ?? { logins: 0, denials: 0, sessions: 0, commands: 0, bytes: 0 };
      want.set(u, v);
      return v;
    };
    for (const r of sample("access_requests")) {
      if (r.Action === "login" && r.Allowed === true) get(String(r.Email)).logins++;
      if (r.Allowed === false) get(String(r.Email)).denials++;
    }
    for (const s of sampleSessions().values()) get(s.user).sessions++;
    for (const p of sample("ssh_logs")) get(String(p.UserEmail)).commands += payloadCommands(p).length;
    for (const z of sample("zero_trust_network_sessions")) get(String(z.Email)).bytes += Number(z.BytesSent);
    const rows = await collect(await runReport(db, "user-activity"));
    for (const [u, v] of want) {
      const r = rows.find((x) => x.user === u)!;
      expect({ logins: Number(r.logins), denials: Number(r.denials), sessions: Number(r.sessions), commands: Number(r.commands), bytes: Number(r.bytes_sent) }, u).toEqual(v);
    }
    // The fixture recordings carry no user: their activity is shown, not dropped.
    expect(rows.find((x) => x.user === "(unknown)")).toBeTruthy();
  });

  it("refuses an unknown report and a malformed date", async () => {
    await expect(runReport(db, "nope")).rejects.toMatchObject({ code: "ERR_USAGE" });
    await expect(runReport(db, "denied-access", { since: "last tuesday" })).rejects.toMatchObject({ code: "ERR_USAGE" });
  });
});
