/**
 * The first index in [0, n) where `before` is false, for a `before` that is true for a prefix and
 * false after it (a binary search over anything sorted): the one search the timeline, the player
 * and the viewer share.
 *
 * @example partitionPoint(times.length, (i) => times[i]! <= t)   // how many times are <= t
 */
export function partitionPoint(n: number, before: (i: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(mid)) lo = mid + 1; else hi = mid;
  }
  return lo;
}
