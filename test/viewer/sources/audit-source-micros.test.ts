import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openAuditDb } from "../../../lib/audit/open-db.js";
import { ingestPaths } from "../../../lib/audit/ingest.js";
import { openAuditSource } from "../../../viewer/sources/audit-source.js";
import { tempDir } from "../../helpers/fixtures.js";

describe("audit source: a command's time in the detail", () => {
  it("is exact to the microsecond for a session that starts between two milliseconds", async () => {
    const tmp = tempDir();
    const cast = '{"version": 2, "width": 80, "height": 24, "timestamp": 0}\n[0.1, "o", "$ "]\n[1.0, "i", "uptime\\r"]\n[1.01, "o", "uptime\\r\\n$ "]\n';
    const start = "2026-10-05T23:59:59.999999Z";
    const rec = { SessionID: "s-micro", ProgramID: "p-micro", ProgramType: "shell", PTY: "xterm-256color", UserEmail: "a@example.com", TargetID: "tgt", Username: "deploy",
      SessionStartDatetime: start, ProgramStartDatetime: start, Datetime: start, SessionFinishDatetime: "2026-10-06T00:00:10Z", ProgramFinishDatetime: "2026-10-06T00:00:10Z",
      Payload: Buffer.from(cast).toString("base64") };
    mkdirSync(join(tmp.dir, "ssh_logs"));
    writeFileSync(join(tmp.dir, "ssh_logs", "a.log"), `${JSON.stringify(rec)}\n`);
    const path = join(tmp.dir, "audit.duckdb");
    const db = await openAuditDb(path, { write: true });
    try { await ingestPaths(db, [join(tmp.dir, "ssh_logs")], { warn: () => {} }); } finally { db.close(); }
    const source = await openAuditSource(path, []);
    try {
      const [row] = (await source.list({ filter: "", sort: "newest", offset: 0, limit: 10 })).rows;
      const detail = await source.detail(row!.id);
      // Typed at 1.0 s into the payload: a JS Date (milliseconds) made it 0.999001 s, shown as +0:00.9.
      expect(detail.commands.map((c) => [c.text, c.atMicros])).toEqual([["uptime", 1_000_000]]);
    } finally {
      await source.close();
      tmp.cleanup();
    }
  });
});
