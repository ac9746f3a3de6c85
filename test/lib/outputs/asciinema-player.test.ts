import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeAsciicast } from "../../../lib/outputs/asciicast.js";
import { writeTo } from "../../../lib/outputs/output-target.js";
import { openAsciicast } from "../../../lib/session/open-asciicast.js";
import { openCapture } from "../../../lib/session/open-capture.js";
import type { Session } from "../../../lib/session/model.js";
import { fixtureCases, fixtureKey, tempDir } from "../../helpers/fixtures.js";
import { terminalCast } from "../../helpers/sessions.js";
import { loadInAsciinemaPlayer } from "../../helpers/asciinema-player.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const cases: Array<{ name: string; open: () => Promise<Session> }> = [
  ...fixtureCases().map((c) => ({ name: c.name, open: () => openCapture(c.log, { privateKey: fixtureKey() }) })),
  ...(["readline", "fullscreen", "sudo"] as const).map((n) => ({ name: n, open: () => openAsciicast(terminalCast(n)) })),
];

describe("cast files parse in asciinema-player (its own core, in Node)", () => {
  it.each(cases)("$name: the player loads it with its duration and a marker per command", async (c) => {
    const path = join(tmp.dir, `${c.name}.cast`);
    await writeTo(path, process.stdout, async (sink) => writeAsciicast(await c.open(), sink));
    const text = readFileSync(path, "utf8");
    const lines = text.trimEnd().split("\n").map((l) => JSON.parse(l) as unknown);
    const events = lines.slice(1) as Array<[number, string, string]>;
    const meta = await loadInAsciinemaPlayer(text);
    expect(meta.duration).toBeCloseTo(events.length ? events[events.length - 1]![0] : 0, 3);
    const markers = events.filter((e) => e[1] === "m").map((e) => e[2]);
    expect(meta.markers.map((m) => m[1])).toEqual(markers);
  });

  it("the same check refuses a cast the player cannot read (so it can fail)", async () => {
    await expect(loadInAsciinemaPlayer('{"version": 2, "width": 80, "height": 24}\n[1.0, "o"\n')).rejects.toThrow();
  });
});
