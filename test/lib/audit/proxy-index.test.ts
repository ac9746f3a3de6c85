import { readFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openAuditDb } from "../../../lib/audit/open-db.js";
import { ingestPaths } from "../../../lib/audit/ingest.js";
import { queryObjects } from "../../../lib/audit/query.js";
import { createRecorder } from "../../../lib/session/recorder.js";
import { tempDirWithKey } from "../../helpers/fixtures.js";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("the recording proxy's NDJSON index with its captures", () => {
  const k = tempDirWithKey();
  afterAll(() => k.cleanup());

  it("joins each capture to its index row: one session, who and where from the index, one row per exec command", async () => {
    const out = join(k.dir, "recorded");
    mkdirSync(join(out, "20261122"), { recursive: true });
    const pub = readFileSync(`${k.key}.pub`, "utf8");
    const started = new Date("2026-11-22T03:00:00Z");
    let t = started.getTime();
    const clock = (): number => t;
    // A shell and an exec in one SSH session, recorded as the proxy records them.
    const shell = await createRecorder({ publicKey: pub, path: join(out, "20261122", "sess-1-0.log"), pty: { term: "xterm", width: 80, height: 24, modes: [] }, startedAt: started, clock, extra: { session_id: "sess-1", program_id: "p-0" } });
    t += 500; shell.write("server", enc("root@db:~# "));
    t += 1000; shell.write("client", enc("chmod 777 /srv\r"));
    t += 20; shell.write("server", enc("chmod 777 /srv\r\nroot@db:~# "));
    t += 1000; shell.write("client", enc("exit\r"));
    t += 20; shell.write("server", enc("exit\r\nlogout\r\n"));
    await shell.close({ status: 0, at: new Date(t) });
    const exec = await createRecorder({ publicKey: pub, path: join(out, "20261122", "sess-1-1.log"), pty: null, startedAt: new Date(t), clock, command: "uptime", extra: { session_id: "sess-1", program_id: "p-1" } });
    t += 100; exec.write("server", enc(" 03:00:03 up 1 day\n"));
    await exec.close({ status: 0, at: new Date(t) });
    const row = (programId: string, type: string, command: string | null, file: string): string => JSON.stringify({
      SessionID: "sess-1", ProgramID: programId, ProgramType: type, Username: "root", ClientAddress: "127.0.0.1", ServerAddress: "127.0.0.1:22",
      SessionStartDatetime: "2026-11-22T03:00:00Z", SessionFinishDatetime: null, ProgramStartDatetime: "2026-11-22T03:00:00Z", ProgramFinishDatetime: "2026-11-22T03:00:03Z",
      Datetime: "2026-11-22T03:00:03Z", PTY: type === "shell" ? "xterm" : "", Command: command, UserKeyFingerprint: "SHA256:abc", UserKeyComment: "ops",
      ExitStatus: 0, ExitSignal: null, ExitCoreDumped: false, Error: "", LogFile: file, LogBytes: 1,
    });
    writeFileSync(join(out, "index.ndjson"), `${row("p-0", "shell", null, "20261122/sess-1-0.log")}\n${row("p-1", "exec", "uptime", "20261122/sess-1-1.log")}\n`);

    const db = await openAuditDb(join(k.dir, "audit.duckdb"), { write: true });
    try {
      const s = await ingestPaths(db, [out], { keyPath: k.key });
      expect(s.badFiles).toEqual([]);
      expect(s.rows.ssh_logs).toBe(2);
      expect(s.rows.recordings).toBe(2);
      const sessions = await queryObjects(db, "SELECT source, session_id, username, programs::INTEGER AS programs, recording_id IS NOT NULL AS recorded FROM sessions");
      expect(sessions).toEqual([{ source: "ssh_logs", session_id: "sess-1", username: "root", programs: 2, recorded: true }]);
      const cmds = await queryObjects(db, "SELECT source, kind, program_id, username, command FROM commands ORDER BY program_id, offset_s");
      expect(cmds).toEqual([
        { source: "recording", kind: "typed", program_id: "p-0", username: "root", command: "chmod 777 /srv" },
        { source: "recording", kind: "typed", program_id: "p-0", username: "root", command: "exit" },
        { source: "recording", kind: "exec", program_id: "p-1", username: "root", command: "uptime" },
      ]);
      const [extra] = await queryObjects(db, "SELECT _extra->>'LogFile' AS f, _extra->>'UserKeyFingerprint' AS k FROM ssh_logs WHERE ProgramID = 'p-0'");
      expect(extra).toEqual({ f: "20261122/sess-1-0.log", k: "SHA256:abc" });
      const priv = await queryObjects(db, "SELECT count(*)::INTEGER AS n FROM commands WHERE command LIKE 'chmod 777%' AND session_id = 'sess-1'");
      expect(priv).toEqual([{ n: 1 }]);
      // The index leaves SessionFinishDatetime empty; the programs' ends and exit records count.
      const { runReport } = await import("../../../lib/audit/reports.js");
      const rs = await runReport(db, "unterminated");
      let n = 0;
      for await (const chunk of rs.rows) n += chunk.length;
      expect(n).toBe(0);
    } finally {
      db.close();
    }
  });
});
