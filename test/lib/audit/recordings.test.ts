import { chmodSync, copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuditDb, openAuditDb } from "../../../lib/audit/open-db.js";
import { ingestPaths, type IngestSummary } from "../../../lib/audit/ingest.js";
import { queryObjects } from "../../../lib/audit/query.js";
import { searchText } from "../../../lib/audit/search.js";
import { EventDigester } from "../../../lib/audit/internal/derive-rows.js";
import { stripTerminal } from "../../../lib/audit/internal/session-text.js";
import { openCaptureFile } from "../../../lib/session/open-capture-file.js";
import { writeDecryptedZip } from "../../../lib/outputs/zip.js";
import type { ResultSet } from "../../../lib/audit/format-result.js";
import { fixtureCases, tempDirWithKey } from "../../helpers/fixtures.js";
import { LOGPUSH_DIR, payloadOf, sample } from "./logpush-sample.js";

async function collect(rs: ResultSet): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  for await (const chunk of rs.rows) for (const r of chunk) out.push(Object.fromEntries(rs.columns.map((c, i) => [c, r[i]])));
  return out;
}

describe("recordings in the audit store", () => {
  const k = tempDirWithKey();
  const rec = join(k.dir, "recordings");
  let db: AuditDb;
  let s: IngestSummary;

  beforeAll(async () => {
    mkdirSync(rec);
    for (const c of fixtureCases()) copyFileSync(c.log, join(rec, `${c.name}.log`));
    // The decrypted zip of one capture: the same session, indexed once.
    await writeDecryptedZip(await openCaptureFile(join(rec, "pty-exit0.log"), k.key), join(rec, "pty-exit0.log-decrypted.zip"));
    // Without a terminal the zip keeps no start time (only its entries' DOS times): still the same session.
    await writeDecryptedZip(await openCaptureFile(join(rec, "exec-binary.log"), k.key), join(rec, "exec-binary.log-decrypted.zip"));
    writeFileSync(join(rec, "typed.cast"), [
      JSON.stringify({ version: 2, width: 80, height: 24, timestamp: 1791000000, env: { TERM: "xterm" } }),
      JSON.stringify([0.5, "o", "$ "]),
      JSON.stringify([1.0, "i", "ls -la /tnp\x7f\x7fmp\r"]),
      JSON.stringify([1.1, "o", "ls -la /tmp\r\ntotal 0\r\n$ "]),
      JSON.stringify([2.0, "i", "rm -rf /\x03"]),
      JSON.stringify([2.05, "o", "rm -rf /^C\r\n$ "]),
      JSON.stringify([3.0, "i", "exit\r"]),
      JSON.stringify([3.05, "o", "exit\r\n"]),
      "",
    ].join("\n"));
    db = await openAuditDb(join(k.dir, "audit.duckdb"), { write: true });
    s = await ingestPaths(db, [rec, LOGPUSH_DIR], { keyPath: k.key });
  });
  afterAll(() => { db.close(); k.cleanup(); });

  it("indexes every capture and the .cast file, and the zip of an indexed capture once", async () => {
    expect(s.badFiles).toEqual([]);
    expect(s.rows.recordings).toBe(fixtureCases().length + 1);
    expect(s.sameRecording.map((p) => p.path).sort()).toEqual([join(rec, "exec-binary.log-decrypted.zip"), join(rec, "pty-exit0.log-decrypted.zip")]);
    const rows = await queryObjects(db, "SELECT kind, count(*)::INTEGER AS n FROM recordings GROUP BY 1 ORDER BY 1");
    expect(rows).toEqual([{ kind: "asciicast", n: 1 }, { kind: "capture", n: fixtureCases().length }]);
  });

  it("keeps each capture's exit data, terminal and byte counts", async () => {
    for (const c of fixtureCases()) {
      const session = await openCaptureFile(c.log, k.key);
      let client = 0;
      let server = 0;
      for await (const ev of session.events()) { if (ev.source === 0) client += ev.data.length; else server += ev.data.length; }
      const [r] = await queryObjects(db, "SELECT has_exit, exit_status, term, bytes_from_client::BIGINT AS c, bytes_from_server::BIGINT AS s, epoch(started_at) AS t FROM recordings WHERE path = $p", { p: join(rec, `${c.name}.log`) });
      expect(r!.has_exit, c.name).toBe(session.info.exit !== null);
      expect(r!.exit_status, c.name).toBe(session.info.exit?.status ?? null);
      expect(r!.term, c.name).toBe(session.info.pty?.term ?? null);
      expect([Number(r!.c), Number(r!.s)], c.name).toEqual([client, server]);
      expect(Number(r!.t), c.name).toBe(session.info.startedAt);
    }
  });

  it("stores typed commands that the server echoed, and output lines that it printed", async () => {
    for (const c of fixtureCases().filter((x) => x.pty)) {
      const shown = stripTerminal(c.expected.get("term_data.txt")!.toString("utf8"));
      const cmds = await queryObjects(db, "SELECT c.command FROM commands c JOIN recordings r USING (recording_id) WHERE r.path = $p", { p: join(rec, `${c.name}.log`) });
      for (const x of cmds) expect(shown, `${c.name}: ${x.command}`).toContain(String(x.command));
      const lines = await queryObjects(db, "SELECT text FROM transcripts t JOIN recordings r USING (recording_id) WHERE r.path = $p", { p: join(rec, `${c.name}.log`) });
      expect(lines.length, c.name).toBeGreaterThan(0);
      for (const x of lines) expect(shown.replace(/\r/g, ""), c.name).toContain(String(x.text).split(/\s{2,}/)[0]);
    }
    const cast = await queryObjects(db, "SELECT c.command, c.offset_s FROM commands c JOIN recordings r USING (recording_id) WHERE r.kind = 'asciicast' ORDER BY c.offset_s");
    expect(cast).toEqual([{ command: "ls -la /tmp", offset_s: 1 }, { command: "exit", offset_s: 3 }]);
  });

  it("derives the same commands and lines from Logpush payloads in SQL as the recording reader does", async () => {
    const sqlCmds = await queryObjects(db, "SELECT session_id, program_id, command, offset_s FROM commands WHERE source = 'ssh_logs' AND kind = 'typed' AND NOT masked ORDER BY ALL");
    const sqlLines = await queryObjects(db, "SELECT session_id, program_id, line_no, text, offset_s FROM transcripts WHERE source = 'ssh_logs' ORDER BY ALL");
    const jsCmds: Array<Record<string, unknown>> = [];
    const jsLines: Array<Record<string, unknown>> = [];
    for (const p of sample("ssh_logs")) {
      const d = new EventDigester(p.ProgramType !== "exec" && p.PTY !== "");
      for (const [t, kind, data] of payloadOf(p).events) {
        if (kind === "i" || kind === "o") d.push({ source: kind === "o" ? 1 : 0, code: 0, elapsedMicros: Math.round(t * 1e6), data: new TextEncoder().encode(data) });
      }
      const dig = d.end();
      for (const c of dig.commands) jsCmds.push({ session_id: p.SessionID, program_id: p.ProgramID, command: c.command, offset_s: c.offsetS });
      for (const l of dig.transcript) jsLines.push({ session_id: p.SessionID, program_id: p.ProgramID, line_no: l.lineNo, text: l.text, offset_s: l.offsetS });
    }
    const order = (a: Record<string, unknown>, b: Record<string, unknown>): number => JSON.stringify(Object.values(a)).localeCompare(JSON.stringify(Object.values(b)));
    expect(sqlCmds.map((r) => ({ ...r, offset_s: Number(r.offset_s) })).sort(order)).toEqual(jsCmds.sort(order));
    expect(sqlLines.map((r) => ({ ...r, offset_s: Number(r.offset_s) })).sort(order)).toEqual(jsLines.sort(order));
  });

  it("search finds text in commands and output, with the session, user and replay offset", async () => {
    const rows = await collect(await searchText(db, "rm -rf"));
    const want = sample("ssh_logs").filter((p) => Buffer.from(String(p.Payload), "base64").toString("utf8").includes("rm -rf")).length;
    const sessions = new Set(rows.filter((r) => r.source === "ssh_logs").map((r) => `${r.session_id}`));
    expect(sessions.size).toBeGreaterThan(0);
    expect(new Set(sample("ssh_logs").filter((p) => Buffer.from(String(p.Payload), "base64").toString("utf8").includes("rm -rf")).map((p) => p.SessionID))).toEqual(sessions);
    expect(want).toBeGreaterThan(0);
    for (const r of rows) {
      expect(String(r.text).toLowerCase()).toContain("rm -rf");
      expect(typeof r.offset_s === "number" || typeof r.offset_s === "string").toBe(true);
    }
    // From a recording: the command typed in pty-exit0, with its offset into the capture.
    expect(rows.some((r) => r.source === "recording" && r.found_in === "command")).toBe(true);
    const alice = await collect(await searchText(db, "rm -rf", { user: "alice@example.com" }));
    expect(alice.length).toBeGreaterThan(0);
    for (const r of alice) expect(r.user).toBe("alice@example.com");
    const cmdsOnly = await collect(await searchText(db, "^sudo\\s", { regex: true, in: "commands" }));
    for (const r of cmdsOnly) expect(String(r.text)).toMatch(/^sudo\s/);
    expect(cmdsOnly.length).toBeGreaterThan(0);
    const literal = await collect(await searchText(db, "100%_"));
    expect(literal).toEqual([]);
    await expect(searchText(db, "(", { regex: true })).rejects.toMatchObject({ code: "ERR_USAGE" });
  });

  it("reads the key once for a folder of captures: a key others can read is warned about once", async () => {
    const other = tempDirWithKey();
    try {
      const loose = join(other.dir, "loose-key");
      copyFileSync(k.key, loose);
      chmodSync(loose, 0o644);
      const db2 = await openAuditDb(join(other.dir, "a.duckdb"), { write: true });
      try {
        const warnings: string[] = [];
        const r = await ingestPaths(db2, [rec], { keyPath: loose, warn: (m) => warnings.push(m) });
        expect(r.rows.recordings).toBe(fixtureCases().length + 1);
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toMatch(/readable by other users/);
      } finally {
        db2.close();
      }
    } finally {
      other.cleanup();
    }
  });

  it("lists a capture as skipped without a key, and as a bad file with the wrong key", async () => {
    const other = tempDirWithKey();
    try {
      const db2 = await openAuditDb(join(other.dir, "a.duckdb"), { write: true });
      try {
        const noKey = await ingestPaths(db2, [join(rec, "pty-exit0.log")]);
        expect(noKey.skipped.map((x) => x.path)).toEqual([join(rec, "pty-exit0.log")]);
        const { generateKeyPair } = await import("../../../lib/crypto/suite.js");
        const { encodeKeyText } = await import("../../../lib/crypto/keys.js");
        const kp = await generateKeyPair();
        const wrong = join(other.dir, "wrongkey");
        writeFileSync(wrong, encodeKeyText(kp.privateKey), { mode: 0o600 });
        const bad = await ingestPaths(db2, [join(rec, "pty-exit0.log")], { keyPath: wrong });
        expect(bad.badFiles.map((x) => x.code)).toEqual(["ERR_WRONG_KEY"]);
        // A key file that is not a key fails once, for the whole run.
        await expect(ingestPaths(db2, [rec], { keyPath: join(rec, "pty-exit0.log") })).rejects.toMatchObject({ code: "ERR_SWAPPED_ARGUMENTS" });
      } finally {
        db2.close();
      }
    } finally {
      other.cleanup();
    }
  });
});
