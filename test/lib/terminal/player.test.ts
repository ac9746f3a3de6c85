import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { openCapture } from "../../../lib/session/open-capture.js";
import { openAsciicast } from "../../../lib/session/open-asciicast.js";
import type { Session } from "../../../lib/session/model.js";
import { Source } from "../../../lib/session/model.js";
import { Emulator } from "../../../lib/terminal/emulator.js";
import { TerminalPlayer } from "../../../lib/terminal/player.js";
import { fixtureCases, fixtureKey } from "../../helpers/fixtures.js";

const TERMINAL = join(import.meta.dirname, "../../../fixtures/terminal");

async function sessions(): Promise<Array<{ name: string; open: () => Promise<Session> }>> {
  const key = fixtureKey();
  return [
    ...fixtureCases().map((c) => ({ name: c.name, open: () => openCapture(c.log, { privateKey: key }) })),
    ...["readline", "fullscreen", "sudo"].map((n) => ({ name: n, open: () => openAsciicast(join(TERMINAL, `${n}.cast`)) })),
  ];
}

/** The state a linear replay from the start reaches at `t`: the reference for seeking. */
async function linearState(p: TerminalPlayer, t: number): Promise<string> {
  const emu = await Emulator.create({ cols: p.cols, rows: p.rows, scrollback: 0, convertEol: p.info.pty === null });
  for (const ev of p.events) if (ev.elapsedMicros <= t) emu.feed(ev.data);
  await emu.settle();
  const c = emu.cursor();
  const s = `${emu.snapshot(0)}|${c.x},${c.y},${c.alternate}|${emu.screenLines().join("\n")}`;
  emu.dispose();
  return s;
}

function stateOf(p: TerminalPlayer): string {
  const c = p.emu.cursor();
  return `${p.emu.snapshot(0)}|${c.x},${c.y},${c.alternate}|${p.emu.screenLines().join("\n")}`;
}

describe("TerminalPlayer", async () => {
  for (const s of await sessions()) {
    it(`${s.name}: seeking anywhere, backwards and forwards, gives the screen a replay from the start gives`, async () => {
      const p = await TerminalPlayer.load(await s.open(), { snapshotEveryEvents: 7, snapshotEveryBytes: 512 });
      if (s.name !== "exec-empty-server") expect(p.events.length).toBeGreaterThan(0);
      expect(p.events.every((e) => e.source === Source.Server)).toBe(true);
      // Every event's moment, visited in a shuffled order (a fixed one: tests must not flake).
      const times = [...new Set(p.events.map((e) => e.elapsedMicros))];
      const order = times.map((t, i) => ({ t, k: (i * 7919) % times.length })).sort((a, b) => a.k - b.k).map((x) => x.t);
      if (times.length === 0) { p.dispose(); return; }
      if (s.name.startsWith("pty") || ["readline", "sudo"].includes(s.name)) expect(p.snapshotCount).toBeGreaterThan(p.events.length / 7 / 2);
      const picks = order.filter((_, i) => i % Math.max(1, Math.floor(order.length / 40)) === 0);
      for (const t of [...picks, 0, p.duration, picks[0]!]) {
        await p.seek(t);
        expect(stateOf(p), `at ${t}`).toBe(await linearState(p, t));
      }
      p.dispose();
    });
  }

  it("finds the commands and steps one event at a time", async () => {
    const p = await TerminalPlayer.load(await openAsciicast(join(TERMINAL, "readline.cast")));
    expect(p.commands.map((c) => c.text)).toContain("echo hello world");
    await p.seek(0);
    const first = await p.step();
    expect(first).toBe(p.events[0]);
    expect(p.position).toBe(1);
    const next = p.nextCommand(0)!;
    expect(next.text).toBe("echo hello world");
    await p.seek(next.atMicros);
    expect(p.commandAt(p.time)?.text).toBe("echo hello world");
    expect(p.screen().lines.join("\n")).toContain("$ echo hello world");
    expect(p.previousCommand(p.time)).toBeNull();
    const third = p.commands[2]!;
    expect(p.previousCommand(third.atMicros + 1_000_001)?.text).toBe(third.text);
    expect(p.previousCommand(third.atMicros + 100_000)?.text).toBe(p.commands[1]!.text);
    p.dispose();
  });
});
