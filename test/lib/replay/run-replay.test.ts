import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { runReplay } from "../../../lib/replay/run-replay.js";
import { openAsciicast } from "../../../lib/session/open-asciicast.js";
import { TerminalPlayer } from "../../../lib/terminal/player.js";
import { ENTER_ALT_SCREEN, LEAVE_ALT_SCREEN, SHOW_CURSOR } from "../../../lib/terminal/screen-mode.js";

const TERMINAL = join(import.meta.dirname, "../../../fixtures/terminal");

async function replay(whileRunning: (written: () => string) => void): Promise<{ interrupted: boolean; written: string; raw: boolean[] }> {
  const player = await TerminalPlayer.load(await openAsciicast(join(TERMINAL, "readline.cast")));
  let written = "";
  const output = Object.assign(new PassThrough(), { columns: 100, rows: 40 });
  output.on("data", (d: Buffer) => { written += d.toString("latin1"); });
  const raw: boolean[] = [];
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: (on: boolean) => { raw.push(on); } });
  try {
    const done = runReplay(player, { input, output }, { speed: 0.25, frameMs: 5 });
    await new Promise((r) => setTimeout(r, 100));
    whileRunning(() => written);
    if (!written.endsWith(LEAVE_ALT_SCREEN)) input.write("q");
    const { interrupted } = await done;
    await new Promise((r) => setImmediate(r));
    return { interrupted, written, raw };
  } finally {
    player.dispose();
  }
}

describe("runReplay takes the terminal over and gives it back (lib/terminal/screen-mode)", () => {
  it("on q: alternate screen, cleared, raw mode; back with attributes reset, cursor shown, main screen", async () => {
    const r = await replay(() => undefined);
    expect(r.interrupted).toBe(false);
    expect(r.written.startsWith(`${ENTER_ALT_SCREEN}\x1b[?25l\x1b[H\x1b[2J`)).toBe(true);
    expect(r.written.endsWith(`\x1b[0m${SHOW_CURSOR}${LEAVE_ALT_SCREEN}`)).toBe(true);
    expect(r.raw).toEqual([true, false]);
  });

  it("on a signal: gives the terminal back at once and draws nothing after it", async () => {
    let atSignal = "";
    const listeners = process.listenerCount("SIGTERM");
    const r = await replay((written) => {
      process.emit("SIGTERM", "SIGTERM");
      atSignal = written();
    });
    expect(r.interrupted).toBe(true);
    expect(atSignal.endsWith(`${SHOW_CURSOR}${LEAVE_ALT_SCREEN}`)).toBe(true);
    expect(r.written).toBe(atSignal);
    expect(r.raw).toEqual([true, false]);
    expect(process.listenerCount("SIGTERM")).toBe(listeners);
  });
});
