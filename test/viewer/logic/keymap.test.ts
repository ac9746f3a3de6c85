import { describe, expect, it } from "vitest";
import { actionFor, editLine, helpRows, KEYMAP, keyName, type Screen } from "../../../viewer/logic/keymap.js";

describe("keyName", () => {
  it("names arrows, pages, enter, escape, ctrl and shift", () => {
    expect(keyName("", { upArrow: true })).toBe("up");
    expect(keyName("", { leftArrow: true, shift: true })).toBe("shift+left");
    expect(keyName("", { pageDown: true })).toBe("pagedown");
    expect(keyName("\r", { return: true })).toBe("enter");
    expect(keyName("", { escape: true })).toBe("esc");
    expect(keyName("c", { ctrl: true })).toBe("ctrl+c");
    expect(keyName("G", { shift: true })).toBe("G");
  });
});

describe("actionFor", () => {
  it("maps the documented keys on each screen", () => {
    expect(actionFor("list", "s", {})).toBe("sort");
    expect(actionFor("list", "/", {})).toBe("filter");
    expect(actionFor("list", "", { return: true })).toBe("open");
    expect(actionFor("list", "q", {})).toBe("quit");
    expect(actionFor("list", "", { escape: true })).toBe("clearFilter");
    expect(actionFor("detail", "", { escape: true })).toBe("back");
    expect(actionFor("detail", "", { return: true })).toBe("open");
    expect(actionFor("replay", " ", {})).toBe("playPause");
    expect(actionFor("replay", "n", {})).toBe("nextMatch");
    expect(actionFor("replay", "N", { shift: true })).toBe("prevMatch");
    expect(actionFor("replay", "]", {})).toBe("nextCommand");
    expect(actionFor("replay", "?", {})).toBe("help");
    expect(actionFor("list", "Z", {})).toBeNull();
  });
  it("quits on Ctrl-C everywhere", () => {
    for (const s of ["list", "detail", "replay"] as Screen[]) expect(actionFor(s, "c", { ctrl: true })).toBe("quit");
  });
  it("binds no key twice on one screen, and help lists every binding", () => {
    for (const s of Object.keys(KEYMAP) as Screen[]) {
      const keys = [...KEYMAP[s].flatMap((b) => b.keys), "?", "ctrl+c"];
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys).toContain("q");
      expect(keys).toContain("esc");
      expect(helpRows(s).length).toBe(KEYMAP[s].length + 2);
    }
  });
});

describe("editLine", () => {
  it("types, deletes, clears, submits and cancels", () => {
    expect(editLine("rm -r", "f", {})).toEqual({ value: "rm -rf", done: null });
    expect(editLine("rm", "", { backspace: true })).toEqual({ value: "r", done: null });
    expect(editLine("rm -rf /", "w", { ctrl: true })).toEqual({ value: "rm -rf ", done: null });
    expect(editLine("rm", "u", { ctrl: true })).toEqual({ value: "", done: null });
    expect(editLine("rm", "", { return: true })).toEqual({ value: "rm", done: "submit" });
    expect(editLine("rm", "", { escape: true })).toEqual({ value: "rm", done: "cancel" });
    expect(editLine("", "q", {})).toEqual({ value: "q", done: null });
    expect(editLine("", "", { upArrow: true })).toEqual({ value: "", done: null });
    expect(editLine("", "a\u0007b", {})).toEqual({ value: "ab", done: null });
  });
});

import { splitKeys } from "../../../viewer/logic/keymap.js";

describe("splitKeys", () => {
  it("splits a run of characters into key presses", () => {
    expect(splitKeys("jjG\r", {})).toEqual([["j", { shift: false }], ["j", { shift: false }], ["G", { shift: true }], ["\r", { return: true }]]);
    expect(splitKeys("a\u007f\u0003", {})).toEqual([["a", { shift: false }], ["\u007f", { backspace: true }], ["c", { ctrl: true }]]);
    expect(splitKeys("j", {})).toEqual([["j", {}]]);
    expect(splitKeys("", { upArrow: true })).toEqual([["", { upArrow: true }]]);
  });
});
