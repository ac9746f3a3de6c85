import { Box, Text } from "ink";
import type { ReactElement } from "react";
import { fit, printable, wrapText } from "../logic/format.js";
import { GAP, type PlacedColumn } from "../logic/layout.js";
import type { PagedList } from "../hooks/usePagedList.js";
import type { SortKey } from "../source.js";
import { useTheme } from "../theme.js";
import { SessionRowLine } from "./SessionRowLine.js";

export interface SessionListProps {
  title: string;
  list: PagedList;
  columns: PlacedColumn[];
  width: number;
  /** Rows of sessions to show. */
  height: number;
  top: number;
  cursor: number;
  sort: SortKey;
  filter: string;
}

/**
 * The session list: a title with counts, sort and filter, the column header, and the visible rows only.
 *
 * @example <SessionList title="ssh-audit.duckdb" list={list} columns={layoutColumns(78)} width={80} height={20} top={0} cursor={0} sort="newest" filter="" />
 */
export function SessionList({ title, list, columns, width, height, top, cursor, sort, filter }: SessionListProps) {
  const theme = useTheme();
  const count = list.total === null ? "…" : `${list.total.toLocaleString("en-US")} session${list.total === 1 ? "" : "s"}`;
  const head = `  ${columns.map((c, i) => (i === 0 ? "" : " ".repeat(GAP)) + fit(c.title, c.width, c.align)).join("")}`;
  const errorLines = list.error ? wrapText(`⚠ ${printable(list.error.message)} [${list.error.code}] Press R to try again.`, width).slice(0, Math.max(1, height - 1)) : [];
  const room = Math.max(0, height - errorLines.length);
  const body: ReactElement[] = [];
  if (list.total === null) {
    // Before the first answer there is nothing to lay out yet: say what is happening instead.
    if (!list.error) body.push(<Text key="reading" dimColor>Reading the sessions…</Text>);
  } else if (list.total === 0) {
    body.push(<Text key="empty" dimColor>{filter !== "" ? "No session matches the filter; press x to clear it." : "No sessions here."}</Text>);
  } else {
    for (let index = top; index < Math.min(top + room, list.total); index++) {
      body.push(<SessionRowLine key={index} row={list.row(index)} columns={columns} selected={index === cursor} />);
    }
  }
  const shown = body.slice(0, room);
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate">
        <Text bold color={theme.color("cyan")}>ssh-log view</Text>
        <Text> · {list.total ? `${(cursor + 1).toLocaleString("en-US")}/` : ""}{count} · sort: {sort}{filter !== "" ? ` · filter: ${printable(filter)}` : ""}{list.loading ? " · loading…" : ""}</Text>
        <Text dimColor> · {printable(title)}</Text>
      </Text>
      <Text bold wrap="truncate">{head}</Text>
      {errorLines.map((l, i) => <Text key={`e${i}`} color={theme.color("red")}>{l}</Text>)}
      {shown}
      {Array.from({ length: room - shown.length }, (_, i) => <Text key={`pad${i}`}> </Text>)}
    </Box>
  );
}
