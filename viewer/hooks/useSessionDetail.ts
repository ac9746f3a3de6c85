import { useEffect, useState } from "react";
import type { SessionDetail, SessionRow, SessionSource } from "../source.js";

/** The detail of one session as it loads: null while loading; a failure becomes the detail's problem. */
export type DetailState = { detail: SessionDetail | null; loading: boolean };

/**
 * Loads a session's detail from the source; an error is kept as the detail's `problem`, with the
 * row's own data still shown.
 *
 * @example const { detail } = useSessionDetail(source, row);
 */
export function useSessionDetail(source: SessionSource, row: SessionRow): DetailState {
  const [state, setState] = useState<DetailState>({ detail: null, loading: true });
  useEffect(() => {
    let live = true;
    setState({ detail: null, loading: true });
    source.detail(row.id).then(
      (detail) => { if (live) setState({ detail, loading: false }); },
      (err: unknown) => {
        if (!live) return;
        const e = err as { code?: string; message?: string };
        setState({ detail: { row, fields: [], context: [], commands: [], problem: { code: e.code ?? "ERR_INTERNAL", message: e.message ?? String(err) } }, loading: false });
      },
    );
    return () => { live = false; };
  }, [source, row]);
  return state;
}
