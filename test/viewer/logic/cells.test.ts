import { describe, expect, it } from "vitest";
import { Emulator } from "../../../lib/terminal/emulator.js";
import { cropRuns, runsOfLine } from "../../../viewer/logic/cells.js";

async function rowRuns(bytes: string, cols = 40) {
  const emu = await Emulator.create({ cols, rows: 3 });
  try {
    emu.feed(bytes);
    await emu.settle();
    return runsOfLine(emu.line(0)!, cols);
  } finally {
    emu.dispose();
  }
}

describe("runsOfLine on the real emulator", () => {
  it("groups cells by colour and attribute, and drops trailing blanks", async () => {
    const runs = await rowRuns("\u001b[31mred\u001b[0m plain \u001b[1;44mbold\u001b[0m");
    expect(runs).toEqual([
      { text: "red", width: 3, fg: "ansi256(1)" },
      { text: " plain ", width: 7 },
      { text: "bold", width: 4, bg: "ansi256(4)", bold: true },
    ]);
  });
  it("reads truecolour, inverse and wide characters", async () => {
    const runs = await rowRuns("\u001b[38;2;255;0;16mrgb\u001b[0m\u001b[7minv\u001b[0m日本");
    expect(runs[0]).toEqual({ text: "rgb", width: 3, fg: "#ff0010" });
    expect(runs[1]).toEqual({ text: "inv", width: 3, inverse: true });
    expect(runs[2]).toEqual({ text: "日本", width: 4 });
  });
  it("keeps an empty row empty", async () => {
    expect(await rowRuns("")).toEqual([]);
  });
});

describe("cropRuns", () => {
  it("cuts to a width, counting wide characters as two", () => {
    expect(cropRuns([{ text: "hello", width: 5 }], 3)).toEqual([{ text: "hel", width: 3 }]);
    expect(cropRuns([{ text: "ab", width: 2, fg: "red" }, { text: "日本", width: 4 }], 5)).toEqual([{ text: "ab", width: 2, fg: "red" }, { text: "日", width: 2 }]);
    expect(cropRuns([{ text: "ab", width: 2 }], 0)).toEqual([]);
  });
});

import { withCursor } from "../../../viewer/logic/cells.js";

describe("withCursor", () => {
  it("marks the cursor's cell, inside a run or past the end", () => {
    expect(withCursor([{ text: "ls", width: 2 }], 2)).toEqual([{ text: "ls", width: 2 }, { text: " ", width: 1, inverse: true }]);
    expect(withCursor([{ text: "abc", width: 3, fg: "red" }], 1)).toEqual([
      { text: "a", width: 1, fg: "red" }, { text: "b", width: 1, fg: "red", inverse: true }, { text: "c", width: 1, fg: "red" },
    ]);
    expect(withCursor([{ text: "a", width: 1 }, { text: "bc", width: 2, inverse: true }], 2)).toEqual([
      { text: "a", width: 1 }, { text: "b", width: 1, inverse: true }, { text: "c", width: 1, inverse: false },
    ]);
    expect(withCursor([], 3)).toEqual([{ text: "   ", width: 3 }, { text: " ", width: 1, inverse: true }]);
    expect(withCursor([{ text: "日本", width: 4 }], 2)).toEqual([{ text: "日", width: 2 }, { text: "本", width: 2, inverse: true }]);
  });
});
