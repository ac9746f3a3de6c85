import { describe, expect, it } from "vitest";
import { partitionPoint } from "../../lib/partition-point.js";

describe("partitionPoint", () => {
  it("finds the first index where the predicate turns false", () => {
    const a = [1, 2, 2, 2, 5, 8];
    expect(partitionPoint(a.length, (i) => a[i]! <= 2)).toBe(4);
    expect(partitionPoint(a.length, (i) => a[i]! < 2)).toBe(1);
    expect(partitionPoint(a.length, (i) => a[i]! <= 0)).toBe(0);
    expect(partitionPoint(a.length, (i) => a[i]! <= 9)).toBe(6);
    expect(partitionPoint(0, () => true)).toBe(0);
  });

  it("agrees with a linear scan on every prefix length", () => {
    for (let n = 0; n <= 40; n++) {
      for (let k = 0; k <= n; k++) expect(partitionPoint(n, (i) => i < k)).toBe(k);
    }
  });
});
