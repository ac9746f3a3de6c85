import { useEffect, useMemo, useReducer, useRef, useState } from "react";
import { PageCache } from "../logic/paging.js";
import type { SessionRow, SessionSource, SortKey } from "../source.js";

/** What the list screen reads: rows by index, the total, and whether a query failed. */
export interface PagedList {
  row(index: number): SessionRow | undefined;
  /** Rows matching, or null until the first page answers. */
  total: number | null;
  loading: boolean;
  error: { code: string; message: string } | null;
}

/**
 * Fetches the pages of the list around the visible window, for one filter and sort. A new filter
 * or sort (or a change announced by the source, or a new `reloadKey`) starts a new cache; until
 * its first page answers the previous rows stay on screen, and answers to older queries are dropped.
 *
 * @example const list = usePagedList(source, filter, "newest", top, 20, 0);
 */
export function usePagedList(source: SessionSource, filter: string, sort: SortKey, top: number, height: number, reloadKey: number): PagedList {
  const [changes, changed] = useReducer((n: number) => n + 1, 0);
  const cache = useMemo(() => new PageCache(100), [source, filter, sort, reloadKey, changes]);
  const [, bump] = useReducer((n: number) => n + 1, 0);
  const [error, setError] = useState<PagedList["error"]>(null);
  const [inFlight, setInFlight] = useState(0);
  const current = useRef(cache);
  const shown = useRef(cache);
  current.current = cache;
  if (cache.total !== null) shown.current = cache;

  useEffect(() => { setError(null); }, [cache]);

  useEffect(() => {
    for (const p of cache.wanted(top, Math.max(1, height))) {
      setInFlight((n) => n + 1);
      source.list({ filter, sort, offset: p * cache.pageSize, limit: cache.pageSize }).then((page) => {
        if (current.current !== cache) return;
        cache.fill(page);
        setError(null);
        bump();
      }, (err: unknown) => {
        // The page stays marked as asked: a locked store is not hammered; R (a new cache) asks again.
        if (current.current !== cache) return;
        const e = err as { code?: string; message?: string };
        setError({ code: e.code ?? "ERR_INTERNAL", message: e.message ?? String(err) });
      }).finally(() => { setInFlight((n) => n - 1); });
    }
  });

  useEffect(() => source.onChange?.(changed), [source]);

  const view = shown.current;
  return { row: (i) => view.row(i), total: view.total, loading: inFlight > 0 || cache.total === null, error };
}
