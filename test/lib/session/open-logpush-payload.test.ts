import { afterAll, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { logpushTime, openLogpushPayload, openLogpushRecord } from "../../../lib/session/open-logpush-payload.js";
import { Source } from "../../../lib/session/model.js";
import { tempDir } from "../../helpers/fixtures.js";
import { LOGPUSH_DIR } from "../../helpers/sessions.js";

const DAY = join(LOGPUSH_DIR, "ssh_logs/20261001");
const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe("openLogpushPayload (fixtures/logpush)", () => {
  it("opens a program by ProgramID from a day's folder, with the record's metadata", async () => {
    const s = await openLogpushPayload(DAY, "5fbec211-0");
    expect(s.info.kind).toBe("logpush");
    expect(s.info.startedAt).toBe(Date.parse("2026-10-01T00:09:21Z") / 1000);
    expect(s.info.pty).toMatchObject({ term: "xterm-256color", width: 120, height: 40 });
    expect(s.info.extra).toMatchObject({ Username: "deploy", UserEmail: "grace@partner.net", SessionID: "5fbec211-d1be-322c-b70a-003b9ee3a370" });
    expect(s.info.extra.Payload).toBeUndefined();
    let out = "";
    let typed = "";
    for await (const ev of s.events()) (ev.source === Source.Server ? (out += Buffer.from(ev.data)) : (typed += Buffer.from(ev.data)));
    expect(typed).toBe("rm -rf /var/tmp/cache\r");
    expect(out).toContain("ok\r\n$ ");
  });

  it("an exec program has no terminal and carries its command", async () => {
    const s = await openLogpushPayload(DAY, "5fbec211-2");
    expect(s.info.pty).toBeNull();
    expect(s.info.command).toBe("sudo systemctl restart nginx");
    expect(s.info.exit).toMatchObject({ timestamp: Date.parse("2026-10-01T01:13:58Z") / 1000, status: null });
  });

  it("a SessionID that ran several programs is refused with their ProgramIDs", async () => {
    await expect(openLogpushPayload(DAY, "5fbec211-d1be-322c-b70a-003b9ee3a370")).rejects.toMatchObject({ code: "ERR_USAGE", message: expect.stringContaining("5fbec211-0") });
  });

  it("an unknown ID, or no ID in an export of many programs, is a usage error", async () => {
    await expect(openLogpushPayload(DAY, "no-such-id")).rejects.toMatchObject({ code: "ERR_USAGE" });
    await expect(openLogpushPayload(DAY)).rejects.toMatchObject({ code: "ERR_USAGE" });
  });

  it("reads plain and gzipped NDJSON files, and refuses what is not Logpush", async () => {
    const payload = Buffer.from('{"version": 2, "width": 80, "height": 24}\n[0.1, "o", "hi"]\n').toString("base64");
    const rec = { SessionID: "s1", ProgramID: "s1-0", ProgramType: "shell", PTY: "xterm", Payload: payload, ProgramStartDatetime: 1790813361 };
    const plain = join(tmp.dir, "one.log");
    writeFileSync(plain, `${JSON.stringify(rec)}\n`);
    expect((await openLogpushPayload(plain)).info.startedAt).toBe(1790813361);
    const gz = join(tmp.dir, "one.log.gz");
    writeFileSync(gz, gzipSync(`${JSON.stringify(rec)}\n`));
    expect((await openLogpushPayload(gz, "s1")).info.pty?.term).toBe("xterm");
    const bad = join(tmp.dir, "bad.log");
    writeFileSync(bad, "not json\n");
    await expect(openLogpushPayload(bad)).rejects.toMatchObject({ code: "ERR_BAD_INPUT" });
    await expect(openLogpushRecord({ SessionID: "x" }, "f.log")).rejects.toMatchObject({ code: "ERR_BAD_INPUT" });
    await expect(openLogpushPayload(join(tmp.dir, "missing.log"))).rejects.toMatchObject({ code: "ERR_NOT_FOUND" });
  });

  it("reads Logpush times in every form Cloudflare sends", () => {
    expect(logpushTime("2026-10-01T00:09:21Z")).toBe(1790813361);
    expect(logpushTime(1790813361)).toBe(1790813361);
    expect(logpushTime(1790813361000)).toBe(1790813361);
    expect(logpushTime(1790813361000000000)).toBe(1790813361);
    expect(logpushTime("")).toBeNull();
  });
});
