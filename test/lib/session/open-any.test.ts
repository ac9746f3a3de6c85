import { afterAll, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { openFiles } from "../../helpers/open-files.js";
import { join } from "node:path";
import { writeDecryptedZip } from "../../../lib/outputs/zip.js";
import { detectInputKind, openSession } from "../../../lib/session/open-any.js";
import { openCapture } from "../../../lib/session/open-capture.js";
import type { Session } from "../../../lib/session/model.js";
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

    const kindOf = async (s: Session): Promise<string> => { await s.close(); return s.info.kind; };
    expect(await kindOf(await openSession(c.log, { keyPath: tmp.key }))).toBe("capture");
    expect(await kindOf(await openSession(c.log, { privateKey: fixtureKey() }))).toBe("capture");
    expect(await kindOf(await openSession(zip))).toBe("zip");
    expect(await kindOf(await openSession(terminalCast("sudo")))).toBe("asciicast");
    expect(await kindOf(await openSession(day, { logpushSession: "5fbec211-0" }))).toBe("logpush");
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

  it("a file that is no capture is not called one: without a key it is ERR_BAD_HEADER, not 'needs its key'", async () => {
    const text = join(tmp.dir, "notdb.duckdb");
    writeFileSync(text, "hello\n");
    const err = await openSession(text).then(() => null, (e: unknown) => e as { code: string; message: string });
    expect(err).toMatchObject({ code: "ERR_BAD_HEADER" });
    expect(err!.message).toBe(`${text} is not an encrypted capture, a decrypted zip, a .cast or a Logpush file, so ssh-log cannot read it; check the path.`);
    // a capture cut short, even inside its header, is still a capture that needs its key
    const c = fixtureCases()[0]!;
    const whole = (await import("node:fs")).readFileSync(c.log);
    for (const cut of [3, 6, 100, whole.readUInt32BE(0) + 4, 3000]) {
      const p = join(tmp.dir, `cut-${cut}.log`);
      writeFileSync(p, whole.subarray(0, cut));
      await expect(openSession(p), `cut at ${cut}`).rejects.toMatchObject({ code: "ERR_USAGE" });
    }
  });
});

describe("Session.close()", () => {
  const inputs = async (): Promise<Array<[string, () => Promise<Session>, string]>> => {
    const pty = fixtureCases().find((x) => x.name === "pty-exit0")!;
    const exec = fixtureCases().find((x) => !x.pty)!;
    const ptyZip = join(tmp.dir, "close-pty.zip");
    const execZip = join(tmp.dir, "close-exec.zip");
    await writeDecryptedZip(await openCapture(pty.log, { privateKey: fixtureKey() }), ptyZip);
    await writeDecryptedZip(await openCapture(exec.log, { privateKey: fixtureKey() }), execZip);
    return [
      ["capture", () => openSession(pty.log, { keyPath: tmp.key }), pty.log],
      ["zip of a terminal session", () => openSession(ptyZip), ptyZip],
      ["zip of an exec session", () => openSession(execZip), execZip],
      ["asciicast", () => openSession(terminalCast("sudo")), terminalCast("sudo")],
    ];
  };

  it("releases the file of a session whose events were never read, and refuses to read after it", async () => {
    for (const [what, open, path] of await inputs()) {
      const s = await open();
      expect(openFiles(), what).toContain(path);
      await s.close();
      await s.close(); // again: nothing happens
      expect(openFiles(), what).not.toContain(path);
      await expect((async () => { for await (const b of s.batches()) void b; })(), what).rejects.toThrow(/closed Session/);
    }
  });

  it("ends a read in progress and releases the file; reading all of it releases it too", async () => {
    for (const [what, open, path] of await inputs()) {
      const s = await open();
      const it = s.batches()[Symbol.asyncIterator]();
      expect((await it.next()).done, what).toBe(false);
      await s.close();
      expect(openFiles(), what).not.toContain(path);
      expect((await it.next()).done, what).toBe(true);

      const whole = await open();
      let events = 0;
      for await (const b of whole.batches()) events += b.length;
      expect(events, what).toBeGreaterThan(0);
      expect(openFiles(), what).not.toContain(path);
      await whole.close();
    }
  });
});
