import { Box } from "ink";
import { useKeys } from "../hooks/useKeys.js";
import { useEffect, useRef } from "react";
import { actionFor, editLine } from "../logic/keymap.js";
import { columnSpecs, layoutColumns, moveCursor, scrollTop } from "../logic/layout.js";
import { usePagedList } from "../hooks/usePagedList.js";
import { SORTS, type SessionRow, type SessionSource, type SortKey } from "../source.js";
import { SessionList } from "./SessionList.js";
import { flagLegend } from "./SessionRowLine.js";
import { StatusLine } from "./StatusLine.js";

/** The list's state, kept by the App so it survives a visit to a session. */
export interface ListState {
  filter: string;
  /** The filter being typed, or null when not typing. */
  typing: string | null;
  sort: SortKey;
  cursor: number;
  top: number;
  reload: number;
}

export const INITIAL_LIST: ListState = { filter: "", typing: null, sort: "newest", cursor: 0, top: 0, reload: 0 };

export interface ListScreenProps {
  source: SessionSource;
  state: ListState;
  setState(update: (s: ListState) => ListState): void;
  width: number;
  height: number;
  active: boolean;
  onOpen(row: SessionRow): void;
  onReplay(row: SessionRow): void;
  onHelp(): void;
  onQuit(): void;
}

const HINTS = "↑↓ move · Enter open · r replay · / filter · s sort · ? help · q quit";
/** The flag letters, added to the hints when the terminal is wide enough. */
const LEGEND = `   flags: ${flagLegend("  ")}`;

/**
 * The session list screen: filter as you type, cycle the sort, move, open.
 *
 * @example <ListScreen source={source} state={list} setState={setList} width={80} height={23} active onOpen={open} onReplay={play} onHelp={help} onQuit={quit} />
 */
export function ListScreen({ source, state, setState, width, height, active, onOpen, onReplay, onHelp, onQuit }: ListScreenProps) {
  // While typing, the list follows the text being typed.
  const filter = state.typing ?? state.filter;
  const rowsHeight = Math.max(1, height - 3);
  const list = usePagedList(source, filter, state.sort, state.top, rowsHeight, state.reload);
  const total = list.total ?? 0;

  // Keep the cursor inside the list when it shrinks, and visible after a resize.
  useEffect(() => {
    if (list.total === null) return;
    const cursor = Math.min(state.cursor, Math.max(0, total - 1));
    const top = scrollTop(cursor, state.top, rowsHeight, total);
    if (cursor !== state.cursor || top !== state.top) setState((s) => ({ ...s, cursor, top }));
  }, [list.total, rowsHeight, state.cursor, state.top, total, setState]);

  // The cursor as of the last key, and what the last render knew: keys can arrive after a frame
  // is drawn but before Ink hands the key handler of that render over.
  const cursorNow = useRef(state.cursor);
  cursorNow.current = state.cursor;
  const now = useRef({ total, rowsHeight, list });
  now.current = { total, rowsHeight, list };
  const move = (delta: number): void => {
    const { total: n, rowsHeight: h } = now.current;
    const cursor = moveCursor(cursorNow.current, delta, n);
    cursorNow.current = cursor;
    setState((s) => ({ ...s, cursor, top: scrollTop(cursor, s.top, h, n) }));
  };

  // Whether a filter is being typed, current between renders: "/" then "d" typed at once must give "d".
  const typingNow = useRef(state.typing !== null);
  typingNow.current = state.typing !== null;

  useKeys((input, key) => {
    if (typingNow.current) {
      if (key.ctrl && input === "c") { onQuit(); return; }
      // Edit from the latest state: keys typed or pasted faster than a render must all land.
      const r0 = editLine("", input, key);
      if (r0.done !== null) typingNow.current = false;
      setState((s) => {
        if (s.typing === null) return s;
        const r = editLine(s.typing, input, key);
        if (r.done === "submit") return { ...s, filter: r.value.trim(), typing: null };
        if (r.done === "cancel") return { ...s, typing: null, cursor: 0, top: 0 };
        return r.value === s.typing ? s : { ...s, typing: r.value, cursor: 0, top: 0 };
      });
      return;
    }
    const action = actionFor("list", input, key);
    const selected = now.current.list.row(cursorNow.current);
    switch (action) {
      case "quit": onQuit(); break;
      case "help": onHelp(); break;
      case "up": move(-1); break;
      case "down": move(1); break;
      case "pageUp": move(-now.current.rowsHeight); break;
      case "pageDown": move(now.current.rowsHeight); break;
      case "top": move(-now.current.total); break;
      case "bottom": move(now.current.total); break;
      case "open": if (selected) onOpen(selected); break;
      case "replay": if (selected) onReplay(selected); break;
      case "filter": typingNow.current = true; cursorNow.current = 0; setState((s) => ({ ...s, typing: s.filter })); break;
      case "clearFilter": setState((s) => ({ ...s, filter: "", cursor: 0, top: 0 })); break;
      case "sort": setState((s) => ({ ...s, sort: SORTS[(SORTS.indexOf(s.sort) + 1) % SORTS.length]!, cursor: 0, top: 0 })); break;
      case "refresh": setState((s) => ({ ...s, reload: s.reload + 1 })); break;
      default: break;
    }
  }, { isActive: active });

  // Two columns for the gutter that marks the selected row.
  // The selected row's problem in full: on the row it is cut to the columns' width.
  const selectedProblem = list.row(state.cursor)?.problem ?? null;
  const visible = Array.from({ length: Math.min(rowsHeight, Math.max(0, total - state.top)) }, (_, i) => list.row(state.top + i));
  const columns = layoutColumns(width - 2, columnSpecs(visible, source.columnTitles));
  return (
    <Box flexDirection="column" width={width} height={height}>
      <SessionList title={source.title} list={list} columns={columns} width={width} height={rowsHeight} top={state.top} cursor={state.cursor} sort={state.sort} filter={filter} />
      {state.typing !== null
        ? <StatusLine prompt="/" value={state.typing} hints="" width={width} />
        : <StatusLine message={selectedProblem ? { text: `${selectedProblem.message} [${selectedProblem.code}]`, error: true } : null}
            hints={width >= HINTS.length + LEGEND.length ? HINTS + LEGEND : HINTS} width={width} />}
    </Box>
  );
}
