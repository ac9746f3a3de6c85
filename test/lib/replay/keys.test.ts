import { describe, expect, it } from "vitest";
import { applyKey, parseKeys, SEEK_STEP_MICROS, type KeyContext, type ReplayState } from "../../../lib/replay/keys.js";
import { formatTime, parseTime, Timeline } from "../../../lib/replay/timeline.js";
import { statusLine } from "../../../lib/replay/render.js";

const commands = [10_000_000, 20_000_000, 40_000_000];
const timeline = new Timeline([0, 10_000_000, 20_000_000, 40_000_000, 60_000_000], null);
const ctx = (position: number): KeyContext => ({
  position, duration: 60_000_000, shift: (t, d) => timeline.shift(t, d),
  nextCommand: (t) => commands.find((c) => c > t) ?? null,
  prevCommand: (t) => [...commands].reverse().find((c) => c < t - 1_000_000) ?? null,
});
const playing: ReplayState = { paused: false, speedIndex: 2, ended: false };

describe("replay keys", () => {
  it("reads keys from raw terminal bytes, arrows in both cursor modes, unknown sequences skipped", () => {
    expect(parseKeys(Buffer.from(" +-<>.][qQ\x03"))).toEqual(["toggle", "faster", "slower", "slower", "faster", "step", "nextCommand", "prevCommand", "quit", "quit", "quit"]);
    expect(parseKeys(Buffer.from("\x1b[C\x1b[D\x1bOC\x1bOD"))).toEqual(["forward", "back", "forward", "back"]);
    expect(parseKeys(Buffer.from("\x1b[15~q"))).toEqual(["quit"]); // F5 ignored, its letters not read as keys
    expect(parseKeys(Buffer.from("xyz"))).toEqual([]);
  });

  it("space pauses and plays; at the end it plays again from the start", () => {
    const paused = applyKey(playing, "toggle", ctx(5e6)).state;
    expect(paused.paused).toBe(true);
    expect(applyKey(paused, "toggle", ctx(5e6)).state.paused).toBe(false);
    const end = applyKey({ paused: true, speedIndex: 2, ended: true }, "toggle", ctx(60e6));
    expect(end.action).toEqual({ type: "seek", toMicros: 0 });
    expect(end.state).toMatchObject({ paused: false, ended: false });
  });

  it("speed goes up and down the list and stops at its ends", () => {
    let s = playing;
    for (let i = 0; i < 20; i++) s = applyKey(s, "faster", ctx(0)).state;
    expect(s.speedIndex).toBe(7);
    for (let i = 0; i < 20; i++) s = applyKey(s, "slower", ctx(0)).state;
    expect(s.speedIndex).toBe(0);
  });

  it("steps only while paused", () => {
    expect(applyKey(playing, "step", ctx(0)).action).toEqual({ type: "none" });
    expect(applyKey({ ...playing, paused: true }, "step", ctx(0)).action).toEqual({ type: "step" });
  });

  it("arrows seek 5 s both ways, clamped to the recording", () => {
    expect(applyKey(playing, "forward", ctx(12e6)).action).toEqual({ type: "seek", toMicros: 12e6 + SEEK_STEP_MICROS });
    expect(applyKey(playing, "back", ctx(12e6)).action).toEqual({ type: "seek", toMicros: 12e6 - SEEK_STEP_MICROS });
    expect(applyKey(playing, "back", ctx(2e6)).action).toEqual({ type: "seek", toMicros: 0 });
    expect(applyKey(playing, "forward", ctx(58e6)).action).toEqual({ type: "seek", toMicros: 60e6 });
  });

  it("] and [ jump between commands; [ just after a command's start goes to the one before", () => {
    expect(applyKey(playing, "nextCommand", ctx(12e6)).action).toEqual({ type: "seek", toMicros: 20e6 });
    expect(applyKey(playing, "nextCommand", ctx(50e6)).action).toEqual({ type: "none" });
    expect(applyKey(playing, "prevCommand", ctx(25e6)).action).toEqual({ type: "seek", toMicros: 20e6 });
    expect(applyKey(playing, "prevCommand", ctx(20.5e6)).action).toEqual({ type: "seek", toMicros: 10e6 });
    expect(applyKey(playing, "prevCommand", ctx(5e6)).action).toEqual({ type: "seek", toMicros: 0 });
    expect(applyKey(playing, "quit", ctx(0)).action).toEqual({ type: "quit" });
  });
});

describe("timeline with an idle limit", () => {
  const t = new Timeline([1_000_000, 11_000_000, 12_000_000], 2_000_000);
  it("shows a 10 s pause as 2 s, both ways", () => {
    expect(t.toView(11_000_000)).toBe(3_000_000);
    expect(t.toRecording(3_000_000)).toBe(11_000_000);
    expect(t.toView(12_000_000)).toBe(4_000_000);
    expect(t.toRecording(2_500_000)).toBe(2_500_000); // inside the shortened pause: where it starts, plus 1.5 s
    expect(t.shift(1_000_000, 5_000_000)).toBe(14_000_000); // 5 s of viewing jumps the long pause
  });
  it("without a limit, times are the same", () => {
    const u = new Timeline([1_000_000, 11_000_000], null);
    expect(u.toView(7_000_000)).toBe(7_000_000);
    expect(u.toRecording(7_000_000)).toBe(7_000_000);
  });
  it("reads and writes times", () => {
    expect(parseTime("90")).toBe(90e6);
    expect(parseTime("1:30")).toBe(90e6);
    expect(parseTime("1:02:03.5")).toBe(3723.5e6);
    expect(parseTime("abc")).toBeNull();
    for (const bad of ["99:99", "1:60", "1:60:00", "1:00:60"]) expect(parseTime(bad), bad).toBeNull();
    expect(parseTime("90:00")).toBe(5400e6); // m:ss: the minutes may run past an hour
    expect(parseTime("0:59.5")).toBe(59.5e6);
    expect(formatTime(90e6)).toBe("1:30");
    expect(formatTime(3723e6)).toBe("1:02:03");
  });
});

describe("status line", () => {
  it("shows state, time, speed, command and keys, fitted to the width", () => {
    const s = statusLine({ position: 90e6, duration: 300e6, speed: 2, paused: false, ended: false, command: "ls -la", warning: null, width: 120 });
    expect(s).toContain("▶ 1:30 / 5:00  2x  $ ls -la");
    expect(s).toContain("q quit");
    const narrow = statusLine({ position: 0, duration: 1e6, speed: 1, paused: true, ended: false, command: "x".repeat(200), warning: "recorded 120x40, terminal 80x24: cropped", width: 80 });
    expect([...narrow]).toHaveLength(80);
    expect(narrow.startsWith("recorded 120x40")).toBe(true);
  });
  it("shows control characters in the command as marks, never raw", () => {
    const s = statusLine({ position: 0, duration: 1e6, speed: 1, paused: false, ended: false, command: "echo \u001b]0;pwned\u0007\u009b2J", warning: null, width: 120 });
    expect(s).toContain("$ echo ␛]0;pwned␇�2J");
    // eslint-disable-next-line no-control-regex
    expect(s).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });
});
