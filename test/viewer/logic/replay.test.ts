import { describe, expect, it } from "vitest";
import { nextMark, OutputText, positionAt, seekClock, stepSpeed, timelineBar, togglePlay, withSpeed, type PlayClock } from "../../../viewer/logic/replay.js";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("play clock", () => {
  const c0: PlayClock = { playing: false, speed: 1, anchorMicros: 0, anchorMs: 1000, duration: 10_000_000 };
  it("advances only while playing, at its speed, and stops at the end", () => {
    expect(positionAt(c0, 5000)).toBe(0);
    const p = togglePlay(c0, 1000);
    expect(positionAt(p, 2000)).toBe(1_000_000);
    const fast = withSpeed(p, 4, 2000);
    expect(positionAt(fast, 3000)).toBe(5_000_000);
    expect(positionAt(fast, 100_000)).toBe(10_000_000);
    const paused = togglePlay(fast, 3000);
    expect(paused.playing).toBe(false);
    expect(positionAt(paused, 9000)).toBe(5_000_000);
  });
  it("seeks within bounds and restarts from the end", () => {
    expect(seekClock(c0, -5, 0).anchorMicros).toBe(0);
    const end = seekClock({ ...c0, playing: true }, 99_000_000, 0);
    expect(end.anchorMicros).toBe(10_000_000);
    expect(end.playing).toBe(false);
    expect(togglePlay(end, 0).anchorMicros).toBe(0);
  });
  it("steps speeds within the list", () => {
    expect(stepSpeed(1, 1)).toBe(2);
    expect(stepSpeed(1, -1)).toBe(0.5);
    expect(stepSpeed(16, 1)).toBe(16);
    expect(stepSpeed(0.25, -1)).toBe(0.25);
    expect(stepSpeed(3, 1)).toBe(4);
    expect(stepSpeed(3, -1)).toBe(2);
  });
});

describe("nextMark and timelineBar", () => {
  it("finds the next and previous marks", () => {
    expect(nextMark([1, 5, 9], 5, 1)).toBe(9);
    expect(nextMark([1, 5, 9], 9, 1)).toBeNull();
    expect(nextMark([1, 5, 9], 5, -1)).toBe(1);
    expect(nextMark([1, 5, 9], 6, -1, 2)).toBe(1);
    expect(nextMark([1, 5, 9], 0, -1)).toBeNull();
  });
  it("draws the played part, marks and position", () => {
    expect(timelineBar(10, 5, 10, [2], [])).toBe("━━┃━━●────");
    expect(timelineBar(10, 0, 10, [], [7])).toBe("●──────◆──");
    expect(timelineBar(4, 10, 10, [], [])).toBe("━━━●");
    expect(timelineBar(4, 0, 0, [], [])).toBe("●───");
    expect(timelineBar(0, 0, 10, [], [])).toBe("");
  });
});

describe("OutputText", () => {
  it("finds when a text appeared, ignoring escapes, case and event boundaries", () => {
    const t = new OutputText();
    t.push(enc("\u001b[1;32mroot@web\u001b[0m:~# "), 100);
    t.push(enc("r"), 200);
    t.push(enc("m -"), 300);
    t.push(enc("\u001b]0;title\u0007RF /tmp\r\n"), 400);
    t.push(enc("RM -rf again\n"), 900);
    expect(t.search("rm -rf")).toEqual([400, 900]);
    expect(t.search("ROOT@WEB")).toEqual([100]);
    expect(t.search("title")).toEqual([]);
    expect(t.search("")).toEqual([]);
  });
  it("decodes UTF-8 split across events", () => {
    const t = new OutputText();
    const bytes = enc("café");
    t.push(bytes.subarray(0, 4), 1);
    t.push(bytes.subarray(4), 2);
    expect(t.search("café")).toEqual([2]);
  });
  it("stops at the limit", () => {
    const t = new OutputText();
    for (let i = 0; i < 50; i++) t.push(enc("x\n"), i);
    expect(t.search("x", 10)).toHaveLength(10);
  });
});

import { idleSkip } from "../../../viewer/logic/replay.js";

describe("idleSkip", () => {
  const times = [1_000_000, 1_500_000, 60_000_000];
  it("jumps to the next output once the limit of a long gap has played", () => {
    expect(idleSkip(times, 3_500_000, 2_000_000)).toBe(60_000_000);
    expect(idleSkip(times, 2_900_000, 2_000_000)).toBeNull();
    expect(idleSkip(times, 1_200_000, 2_000_000)).toBeNull();
    expect(idleSkip(times, 61_000_000, 2_000_000)).toBeNull();
    expect(idleSkip([5_000_000], 2_500_000, 2_000_000)).toBe(5_000_000);
    expect(idleSkip([], 10, 2_000_000)).toBeNull();
  });
});
