import { describe, expect, it } from "vitest";
import { fixtureCases, fixtureKey } from "../../helpers/fixtures.js";
import { readRecording } from "../../helpers/read-recording.js";
import { referenceDecode } from "../../helpers/reference-decode.js";

/**
 * The emulation of ssh-log-cli's reader (test/helpers/reference-decode.ts) that the recorder and
 * proxy tests use to show ssh-log-cli reads their files: it must read the independent
 * implementation's captures as ssh-log-cli does, and fail on the one whose blocks split packet
 * lengths, which ssh-log-cli mis-reads (FORMAT.md).
 */
describe("reference reader emulation", () => {
  for (const c of fixtureCases()) {
    it(`${c.name}: ${c.name === "pty-no-term-error" ? "fails like ssh-log-cli (packet lengths split across blocks)" : "reads the same packets as ssh-log"}`, async () => {
      const ours = await readRecording(c.log, fixtureKey());
      if (c.name === "pty-no-term-error") {
        await expect(referenceDecode(c.log, fixtureKey())).rejects.toThrow(/reference:/);
        return;
      }
      const ref = await referenceDecode(c.log, fixtureKey());
      expect(ref.map((p) => [p.source, p.code, p.elapsedMicros, Buffer.from(p.data).toString("hex")]))
        .toEqual(ours.packets.map((p) => [p.source, p.code, p.elapsedMicros, Buffer.from(p.data).toString("hex")]));
    });
  }
});
