import { describe, expect, it } from "vitest";
import { Emulator, MAX_TERMINAL_SIZE } from "../../../lib/terminal/emulator.js";

describe("Emulator size", () => {
  it("keeps each side from 1 to MAX_TERMINAL_SIZE, whatever a recording's header claims", async () => {
    // One side at a time, so the test itself allocates little: 100000x100000 made xterm allocate 10^10 cells.
    const wide = await Emulator.create({ cols: 100_000, rows: 1, scrollback: 0 });
    expect([wide.cols, wide.term.cols, wide.term.rows]).toEqual([MAX_TERMINAL_SIZE, MAX_TERMINAL_SIZE, 1]);
    const tall = await Emulator.create({ cols: 2, rows: 100_000, scrollback: 0 });
    expect([tall.rows, tall.term.rows, tall.term.cols]).toEqual([MAX_TERMINAL_SIZE, MAX_TERMINAL_SIZE, 2]);
    wide.feed("hello");
    await wide.settle();
    expect(wide.cursor().x).toBe(5);
  });
});
