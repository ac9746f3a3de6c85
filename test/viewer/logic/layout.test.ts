import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { COLUMNS, GAP, layoutColumns, moveCursor, scrollTop } from "../../../viewer/logic/layout.js";
import { fit, formatClock, formatDuration, formatTime, exitText } from "../../../viewer/logic/format.js";

describe("layoutColumns", () => {
  it("shows every column at 80 and 200 columns, giving spare width to user and target", () => {
    const at80 = layoutColumns(80);
    expect(at80.map((c) => c.id)).toEqual(COLUMNS.map((c) => c.id));
    const at200 = layoutColumns(200);
    const user80 = at80.find((c) => c.id === "user")!.width;
    const user200 = at200.find((c) => c.id === "user")!.width;
    expect(user200).toBeGreaterThan(user80);
    expect(at200.find((c) => c.id === "start")!.width).toBe(16);
  });
  it("drops the least important columns first when narrow", () => {
    const at50 = layoutColumns(50).map((c) => c.id);
    expect(at50).toContain("start");
    expect(at50).toContain("user");
    expect(at50).not.toContain("program");
  });
  it("never exceeds the width and keeps the column order", () => {
    fc.assert(fc.property(fc.integer({ min: 20, max: 400 }), (w) => {
      const cols = layoutColumns(w);
      const used = cols.reduce((n, c) => n + c.width, 0) + GAP * (cols.length - 1);
      expect(used).toBeLessThanOrEqual(w);
      if (w >= 70) expect(used).toBe(w);
      const order = COLUMNS.map((c) => c.id).filter((id) => cols.some((c) => c.id === id));
      expect(cols.map((c) => c.id)).toEqual(order);
    }));
  });
});

describe("scrollTop and moveCursor", () => {
  it("keeps the cursor visible and the window inside the list", () => {
    expect(scrollTop(50, 0, 20, 1000)).toBe(31);
    expect(scrollTop(5, 31, 20, 1000)).toBe(5);
    expect(scrollTop(999, 0, 20, 1000)).toBe(980);
    expect(scrollTop(3, 90, 20, 10)).toBe(0);
    expect(moveCursor(3, -10, 100)).toBe(0);
    expect(moveCursor(3, 1000, 100)).toBe(99);
    expect(moveCursor(0, 1, 0)).toBe(0);
  });
  it("holds for any cursor, window and list size", () => {
    fc.assert(fc.property(fc.nat(10_000), fc.nat(10_000), fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 10_000 }), (c0, t0, h, total) => {
      const c = c0 % total;
      const t = scrollTop(c, t0, h, total);
      expect(t).toBeGreaterThanOrEqual(0);
      expect(c).toBeGreaterThanOrEqual(t);
      expect(c).toBeLessThan(t + h);
    }));
  });
});

describe("format", () => {
  it("formats times in UTC, durations, clocks and exits", () => {
    expect(formatTime(1791960738)).toBe("2026-10-14 06:52");
    expect(formatTime(1791960738, true)).toBe("2026-10-14 06:52:18");
    expect([formatDuration(45), formatDuration(723), formatDuration(3725), formatDuration(183600), formatDuration(null)]).toEqual(["45s", "12m03s", "1h02m", "2d03h", "-"]);
    expect(formatClock(83_400_000)).toBe("1:23.4");
    expect(formatClock(3_723_000_000)).toBe("1:02:03");
    expect(exitText(null)).toBeNull();
    expect(exitText({ status: null, signal: null, coreDumped: false, errorMessage: null })).toBe("0");
    expect(exitText({ status: 2, signal: "KILL", coreDumped: false, errorMessage: null })).toBe("SIGKILL");
    expect(exitText({ status: 2, signal: null, coreDumped: true, errorMessage: null })).toBe("core");
    expect(exitText({ status: 2, signal: null, coreDumped: false, errorMessage: "x" })).toBe("error");
  });
  it("fits text to a width, marking cuts and removing control characters", () => {
    expect(fit("alice@example.com", 8)).toBe("alice@e…");
    expect(fit("ab", 4)).toBe("ab  ");
    expect(fit("ab", 4, "right")).toBe("  ab");
    expect(fit("a\u001b[31mb", 8)).toBe("a [31mb ");
    expect(fit("x", 0)).toBe("");
  });
});

import { columnSpecs, detailLayout } from "../../../viewer/logic/layout.js";

describe("columnSpecs", () => {
  const r = { user: null, target: "a.log", unixUser: null, program: "pty", exit: "0" };
  it("leaves out name columns no row fills, and takes the source's titles", () => {
    const ids = columnSpecs([r, undefined], { target: "FILE" });
    expect(ids.map((c) => c.id)).toEqual(["start", "target", "program", "duration", "exit", "flags"]);
    expect(ids.find((c) => c.id === "target")!.title).toBe("FILE");
    expect(columnSpecs([{ ...r, user: "alice" }]).map((c) => c.id)).toContain("user");
    expect(columnSpecs([]).length).toBe(8);
    expect(columnSpecs([{ ...r, user: "alice", exit: null }]).map((c) => c.id)).not.toContain("exit");
  });
});

describe("detailLayout", () => {
  it("gives commands at least three rows, then fields, context and the rest", () => {
    expect(detailLayout(20, 10, 4, 30)).toEqual({ fields: 8, context: 4, commands: 6 });
    expect(detailLayout(8, 10, 4, 30)).toEqual({ fields: 3, context: 0, commands: 3 });
    expect(detailLayout(40, 5, 0, 2)).toEqual({ fields: 5, context: 1, commands: 2 });
  });
});

import { charWidth, wrapText } from "../../../viewer/logic/format.js";

describe("wrapText", () => {
  it("wraps at spaces and cuts words longer than the width", () => {
    expect(wrapText("words match user, target", 12)).toEqual(["words match", "user, target"]);
    expect(wrapText("abcdefghij x", 4)).toEqual(["abcd", "efgh", "ij x"]);
    expect(wrapText("", 4)).toEqual([]);
  });
});

describe("fit with wide characters and combining marks", () => {
  const columns = (s: string): number => Array.from(s).reduce((n, ch) => n + charWidth(ch), 0);
  it("pads and cuts by terminal columns, so the next column starts where the header says", () => {
    expect(fit("中文用户", 10)).toBe("中文用户  ");
    expect(columns(fit("中文用户@例子.com", 18))).toBe(18);
    expect(fit("中文用户@例子.com", 9)).toBe("中文用户…");
    expect(fit("目标🚀", 6, "right")).toBe("目标🚀");
    // A wide character that would straddle the edge is left out, its column blank.
    expect(fit("ab中文", 4)).toBe("ab …");
    expect(fit("cafe\u0301s", 5)).toBe("cafe\u0301s");
    expect(fit("e\u0301cho", 6)).toBe("e\u0301cho  ");
  });
});
