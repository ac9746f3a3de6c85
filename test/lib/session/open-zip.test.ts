import { afterAll, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { openFiles } from "../../helpers/open-files.js";
import { join } from "node:path";
import { writeDecryptedZip } from "../../../lib/outputs/zip.js";
import { openCapture } from "../../../lib/session/open-capture.js";
import { gapFromDelay, openZip, parseEndLine, parseStartLine } from "../../../lib/session/open-zip.js";
import { Source, type Session } from "../../../lib/session/model.js";
import { formatDelay } from "../../../lib/outputs/script-format.js";
import { fixtureCases, fixtureKey, tempDir } from "../../helpers/fixtures.js";
import { rawZip } from "../../helpers/raw-zip.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

async function collect(s: Session): Promise<{ client: Buffer; server: Buffer; times: number[] }> {
  const c: Buffer[] = [];
  const sv: Buffer[] = [];
  const times: number[] = [];
  for await (const ev of s.events()) {
    (ev.source === Source.Client ? c : sv).push(Buffer.from(ev.data));
    if (ev.source === Source.Server) times.push(ev.elapsedMicros);
  }
  return { client: Buffer.concat(c), server: Buffer.concat(sv), times };
}

describe("openZip", () => {
  for (const c of fixtureCases()) {
    it(`${c.name}: a zip written by decrypt reads back as the session it came from`, async () => {
      const zip = join(tmp.dir, `${c.name}.zip`);
      const original = await openCapture(c.log, { privateKey: fixtureKey() });
      await writeDecryptedZip(original, zip);
      const fromCapture = await collect(await openCapture(c.log, { privateKey: fixtureKey() }));
      const s = await openZip(zip);
      expect(s.info.kind).toBe("zip");
      const got = await collect(s);
      expect(s.outcome.complete).toBe(true);
      expect(got.server).toEqual(fromCapture.server);
      if (c.pty) {
        expect(s.info.pty).toMatchObject({ width: original.info.pty!.width, height: original.info.pty!.height, term: original.info.pty!.term });
        expect(s.info.startedAt).toBe(original.info.startedAt);
        expect(s.info.exit).toEqual(original.info.exit && { ...original.info.exit, signal: null });
        // Times come back to the microsecond where binary32 kept them (gaps under ~16.7 s).
        fromCapture.times.forEach((t, i) => expect(Math.abs(got.times[i]! - t)).toBeLessThan(2_000 * (i + 1)));
      } else {
        expect(s.info.pty).toBeNull();
        expect(got.client).toEqual(fromCapture.client);
      }
    });
  }

  it("refuses entries whose names climb out of the zip's folder", async () => {
    for (const name of ["../term_data.txt", "a/../../term_times.txt", "/etc/term_data.txt"]) {
      const zip = join(tmp.dir, "evil.zip");
      writeFileSync(zip, rawZip([{ name, data: "x" }, { name: "term_times.txt", data: "0.1 1\n" }]));
      await expect(openZip(zip), name).rejects.toMatchObject({ code: "ERR_BAD_INPUT" });
    }
  });

  it("refuses a zip that is not ssh-log's, a file that is not a zip, a folder and a missing path", async () => {
    const other = join(tmp.dir, "other.zip");
    writeFileSync(other, rawZip([{ name: "readme.txt", data: "hello" }]));
    await expect(openZip(other)).rejects.toMatchObject({ code: "ERR_BAD_INPUT" });
    const notZip = join(tmp.dir, "not.zip");
    writeFileSync(notZip, "just text");
    await expect(openZip(notZip)).rejects.toMatchObject({ code: "ERR_BAD_INPUT" });
    await expect(openZip(tmp.dir)).rejects.toMatchObject({ code: "ERR_IS_DIRECTORY" });
    await expect(openZip(join(tmp.dir, "nope.zip"))).rejects.toMatchObject({ code: "ERR_NOT_FOUND" });
  });

  it("releases the zip when opening its entries fails (a term_data.txt without its start line)", async () => {
    const zip = join(tmp.dir, "no-start.zip");
    writeFileSync(zip, rawZip([{ name: "term_data.txt", data: "no start line\nabc" }, { name: "term_times.txt", data: "0.100000 3\n" }]));
    await expect(openZip(zip)).rejects.toMatchObject({ code: "ERR_BAD_INPUT", message: expect.stringContaining("does not begin with a \"Session started on\" line") });
    expect(openFiles()).not.toContain(zip);
  });

  it("keeps what is there when term_data.txt is shorter than its timing says (partial)", async () => {
    const zip = join(tmp.dir, "short.zip");
    writeFileSync(zip, rawZip([
      { name: "term_data.txt", data: 'Session started on 2026-03-12 00:05:18+00 [TERM="xterm" COLUMNS="80" LINES="24"]\nabc' },
      { name: "term_times.txt", data: "0.100000 2\n0.200000 5\n" },
    ]));
    const s = await openZip(zip);
    const got = await collect(s);
    expect(got.server.toString()).toBe("abc");
    expect(s.outcome.error?.code).toBe("ERR_TRUNCATED");
  });

  it("parses the typescript's first and last lines", () => {
    expect(parseStartLine('Session started on 2026-03-12 00:05:18+00 [TERM="unknown" COLUMNS="120" LINES="40"]')).toEqual({ startedAt: 1773273918, pty: { term: null, width: 120, height: 40, modes: [] } });
    expect(parseEndLine('Script done on 2026-03-12 00:20:18+00 [ERROR="broken pipe"]')).toMatchObject({ errorMessage: "broken pipe", status: null });
    expect(parseEndLine("Script done on 2026-03-12 00:20:18+00 [CORE DUMPED]")).toMatchObject({ coreDumped: true });
    expect(parseEndLine("Session has no termination data")).toBeNull();
    expect(parseEndLine("something else")).toBeUndefined();
  });

  it("turns binary32 delays back into gaps that print the same", () => {
    for (const gap of [1, 71181, 16_777_216, 30_000_001, 90_549_812, 123_456_789, 3_600_000_123]) {
      const text = formatDelay(gap);
      expect(formatDelay(gapFromDelay(text))).toBe(text);
    }
  });
});
