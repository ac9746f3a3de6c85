import { afterAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeTypescript } from "../../../lib/outputs/typescript.js";
import { writeDecryptedZip } from "../../../lib/outputs/zip.js";
import { openAsciicast } from "../../../lib/session/open-asciicast.js";
import { openCapture } from "../../../lib/session/open-capture.js";
import { openZip } from "../../../lib/session/open-zip.js";
import { fixtureCases, fixtureKey, tempDir } from "../../helpers/fixtures.js";
import { terminalCast } from "../../helpers/sessions.js";
import { requireTool, runInPty } from "../../helpers/system-tools.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe("typescript export", () => {
  it("util-linux scriptreplay is installed", () => requireTool("scriptreplay"));

  for (const c of fixtureCases()) {
    if (!c.pty) {
      it(`${c.name}: refused (an exec session has no terminal)`, async () => {
        const s = await openCapture(c.log, { privateKey: fixtureKey() });
        await expect(writeTypescript(s, join(tmp.dir, c.name))).rejects.toMatchObject({ code: "ERR_USAGE" });
        await s.close(); // refused before reading: the file is the caller's to release
      });
      continue;
    }
    it(`${c.name}: byte for byte what decrypt puts in the zip, and scriptreplay plays it`, async () => {
      const dir = join(tmp.dir, c.name);
      const r = await writeTypescript(await openCapture(c.log, { privateKey: fixtureKey() }), dir);
      expect(readFileSync(r.dataPath)).toEqual(c.expected.get("term_data.txt"));
      expect(readFileSync(r.timesPath)).toEqual(c.expected.get("term_times.txt"));
      const play = runInPty(`scriptreplay --timing ${r.timesPath} ${r.dataPath} -m 0.001`);
      expect(play.status).toBe(0);
      expect(play.output).toContain("ops@web-01");
    });
  }

  it("from a zip and from an asciicast too (every input gives the same pair)", async () => {
    const c = fixtureCases().find((x) => x.name === "pty-exit0")!;
    const zip = join(tmp.dir, "z.zip");
    await writeDecryptedZip(await openCapture(c.log, { privateKey: fixtureKey() }), zip);
    const r = await writeTypescript(await openZip(zip), join(tmp.dir, "from-zip"));
    expect(readFileSync(r.dataPath)).toEqual(c.expected.get("term_data.txt"));
    expect(readFileSync(r.timesPath)).toEqual(c.expected.get("term_times.txt"));
    const cast = await writeTypescript(await openAsciicast(terminalCast("fullscreen")), join(tmp.dir, "from-cast"));
    const play = runInPty(`scriptreplay --timing ${cast.timesPath} ${cast.dataPath} -m 0.001`);
    expect(play.status).toBe(0);
    expect(play.output).toContain("hello from vim");
  });
});
