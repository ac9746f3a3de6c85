/**
 * The list's page cache: only the pages around the visible window are fetched and kept, so a
 * list of 100,000 sessions costs a few hundred rows of memory and one small query per scroll.
 */
import type { ListPage, SessionRow } from "../source.js";

/**
 * Pages of one query's result (one filter and sort). A new filter or sort makes a new cache.
 *
 * @example
 *   const cache = new PageCache(100);
 *   for (const p of cache.wanted(0, 20)) cache.fill(await source.list({ ...q, offset: p * 100, limit: 100 }));
 *   cache.row(5);
 */
export class PageCache {
  private readonly pages = new Map<number, SessionRow[]>();
  private readonly pending = new Set<number>();
  /** Rows matching in all, once the first page answered. */
  total: number | null = null;

  constructor(readonly pageSize = 100, private readonly maxPages = 40) {}

  /** The row at `index`, or undefined while its page is not loaded. */
  row(index: number): SessionRow | undefined {
    const page = this.pages.get(Math.floor(index / this.pageSize));
    return page?.[index % this.pageSize];
  }

  /**
   * The page numbers to fetch for a window starting at `top`, `height` rows tall, plus one window
   * ahead and behind; marks them pending so each is asked once.
   */
  wanted(top: number, height: number): number[] {
    const from = Math.max(0, top - height);
    let to = top + 2 * height;
    if (this.total !== null) to = Math.min(to, this.total - 1);
    if (to < from && this.total !== null) return [];
    const out: number[] = [];
    for (let p = Math.floor(from / this.pageSize); p <= Math.floor(Math.max(from, to) / this.pageSize); p++) {
      if (this.pages.has(p) || this.pending.has(p)) continue;
      this.pending.add(p);
      out.push(p);
    }
    return out;
  }

  /** Stores a page that arrived; drops the pages farthest from it beyond the limit. */
  fill(page: ListPage): void {
    const p = Math.floor(page.offset / this.pageSize);
    this.pending.delete(p);
    this.pages.set(p, page.rows);
    this.total = page.total;
    while (this.pages.size > this.maxPages) {
      let far = p;
      for (const k of this.pages.keys()) if (Math.abs(k - p) > Math.abs(far - p)) far = k;
      if (far === p) break;
      this.pages.delete(far);
    }
  }

  /** Pages held in memory. */
  get size(): number {
    return this.pages.size;
  }
}
