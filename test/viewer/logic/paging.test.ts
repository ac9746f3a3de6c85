import { describe, expect, it } from "vitest";
import { PageCache } from "../../../viewer/logic/paging.js";
import type { ListPage, SessionRow } from "../../../viewer/source.js";

const rows = (from: number, n: number): SessionRow[] => Array.from({ length: n }, (_, i) => ({
  id: String(from + i), startedAt: 0, user: null, target: null, unixUser: null, program: null, durationSec: null, exit: null, flags: [], problem: null,
}));
const page = (offset: number, size: number, total: number): ListPage => ({ offset, rows: rows(offset, Math.max(0, Math.min(size, total - offset))), total });

describe("PageCache", () => {
  it("asks each page once, around the visible window", () => {
    const c = new PageCache(10);
    expect(c.wanted(0, 5)).toEqual([0, 1]);
    expect(c.wanted(0, 5)).toEqual([]);
    c.fill(page(0, 10, 100_000));
    expect(c.row(3)?.id).toBe("3");
    expect(c.row(12)).toBeUndefined();
    expect(c.wanted(50_000, 20)).toEqual([4998, 4999, 5000, 5001, 5002, 5003, 5004]);
  });
  it("stops at the end of the result once the total is known", () => {
    const c = new PageCache(10);
    expect(c.wanted(0, 3)).toEqual([0]);
    c.fill(page(0, 10, 12));
    expect(c.wanted(5, 20)).toEqual([1]);
    c.fill(page(10, 10, 12));
    expect(c.row(11)?.id).toBe("11");
    expect(c.row(12)).toBeUndefined();
    const empty = new PageCache(10);
    empty.wanted(0, 5);
    empty.fill(page(0, 10, 0));
    expect(empty.wanted(0, 5)).toEqual([]);
  });
  it("keeps memory bounded while scrolling through 100,000 rows", () => {
    const c = new PageCache(100, 8);
    for (let top = 0; top < 100_000; top += 1000) for (const p of c.wanted(top, 40)) c.fill(page(p * 100, 100, 100_000));
    expect(c.size).toBeLessThanOrEqual(8);
    expect(c.row(99_000 + 5)?.id).toBe("99005");
  });
});
