import { afterAll, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeDecryptedZip } from "../../../lib/outputs/zip.js";
import { detectInputKind, openSession } from "../../../lib/session/open-any.js";
import { openCapture } from "../../../lib/session/open-capture.js";
import { fixtureCases, fixtureKey, tempDirWithKey } from "../../helpers/fixtures.js";
import { LOGPUSH_DIR, terminalCast } from "../../helpers/sessions.js";

const tmp = tempDirWithKey();
afterAll(() => tmp.cleanup());

describe("openSession", () => {
  it("tells every input kind by its first bytes and opens it", async () => {
    const c = fixtureCases().find((x) => x.name === "pty-exit0")!;
    const zip = join(tmp.dir, "s.zip");
    await writeDecryptedZip(await openCapture(c.log, { privateKey: fixtureKey() }), zip);
    expect(await detectInputKind(c.log)).toBe("capture");
    expect(await detectInputKind(zip)).toBe("zip");
    expect(await detectInputKind(terminalCast("sudo"))).toBe("asciicast");
    const day = join(LOGPUSH_DIR, "ssh_logs/20261001");
    expect(await detectInputKind(day, { logpushSession: "5fbec211-0" })).toBe("logpush");

    expect((await openSession(c.log, { keyPath: tmp.key })).info.kind).toBe("capture");
    expect((await openSession(c.log, { privateKey: fixtureKey() })).info.kind).toBe("capture");
    expect((await openSession(zip)).info.kind).toBe("zip");
    expect((await openSession(terminalCast("sudo"))).info.kind).toBe("asciicast");
    expect((await openSession(day, { logpushSession: "5fbec211-0" })).info.kind).toBe("logpush");
  });

  it("a gzipped or JSON Logpush file is recognised without --logpush", async () => {
    const rec = { SessionID: "s1", ProgramID: "s1-0", PTY: "xterm", Payload: Buffer.from('{"version": 2, "width": 80, "height": 24}\n').toString("base64") };
    const f = join(tmp.dir, "l.json");
    writeFileSync(f, `${JSON.stringify(rec)}\n`);
    expect(await detectInputKind(f)).toBe("logpush");
    expect((await openSession(f)).info.kind).toBe("logpush");
  });

  it("a capture without a key is a usage error naming -i; a wrong key, a missing path are theirs", async () => {
    const c = fixtureCases()[0]!;
    await expect(openSession(c.log)).rejects.toMatchObject({ code: "ERR_USAGE" });
    await expect(openSession(c.log, { privateKey: new Uint8Array(32).fill(7) })).rejects.toMatchObject({ code: "ERR_WRONG_KEY" });
    await expect(openSession(join(tmp.dir, "missing.log"), { keyPath: tmp.key })).rejects.toMatchObject({ code: "ERR_NOT_FOUND" });
    await expect(openSession(tmp.dir)).rejects.toMatchObject({ code: "ERR_IS_DIRECTORY" });
    const empty = join(tmp.dir, "empty.log");
    writeFileSync(empty, "");
    await expect(openSession(empty)).rejects.toMatchObject({ code: "ERR_EMPTY_FILE" });
    await expect(openSession(`${tmp.key}.pub`)).rejects.toMatchObject({ code: "ERR_SWAPPED_ARGUMENTS" });
    await expect(openSession(tmp.key)).rejects.toMatchObject({ code: "ERR_SWAPPED_ARGUMENTS" });
  });
});
