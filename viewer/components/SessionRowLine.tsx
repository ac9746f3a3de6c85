import { Text } from "ink";
import type { ReactElement } from "react";
import { fit, formatDuration, formatTime } from "../logic/format.js";
import { GAP, type PlacedColumn } from "../logic/layout.js";
import { Flag, type SessionRow } from "../source.js";
import { useTheme } from "../theme.js";

/** One letter per flag, in a fixed order, so the FLAGS column lines up. */
export const FLAG_LETTERS: Array<[Flag, string, "red" | "yellow" | "magenta" | "gray"]> = [
  [Flag.Root, "R", "red"],
  [Flag.Risky, "!", "yellow"],
  [Flag.Denied, "D", "magenta"],
  [Flag.Truncated, "T", "red"],
  [Flag.NoExit, "?", "gray"],
];

/** What each flag means, in words, for the help screen and the list's legend. */
const FLAG_NAMES: Record<Flag, string> = {
  [Flag.Root]: "root", [Flag.Risky]: "risky command", [Flag.Denied]: "denied nearby", [Flag.Truncated]: "truncated", [Flag.NoExit]: "no exit data",
};

/** Every flag letter with its meaning, in column order: "R root, ! risky command, ..." with `sep`. */
export function flagLegend(sep: string): string {
  return FLAG_LETTERS.map(([flag, letter]) => `${letter} ${FLAG_NAMES[flag]}`).join(sep);
}

function cell(row: SessionRow, id: PlacedColumn["id"]): string {
  switch (id) {
    case "start": return formatTime(row.startedAt);
    case "user": return row.user ?? "-";
    case "target": return row.target ?? "-";
    case "unix": return row.unixUser ?? "-";
    case "program": return row.program ?? "-";
    case "duration": return formatDuration(row.durationSec);
    case "exit": return row.exit ?? "-";
    case "flags": return "";
  }
}

/**
 * One session in the list: a gutter that marks the selected row (visible without colour), its
 * columns, its flags in colour, or the problem reading it.
 *
 * @example <SessionRowLine row={row} columns={layoutColumns(78)} selected />
 */
export function SessionRowLine({ row, columns, selected }: { row: SessionRow | undefined; columns: PlacedColumn[]; selected: boolean }) {
  const theme = useTheme();
  const width = columns.reduce((n, c) => n + c.width, 0) + GAP * Math.max(0, columns.length - 1);
  const gutter = <Text key="gutter" bold>{selected ? "› " : "  "}</Text>;
  if (row === undefined) return <Text wrap="truncate">{gutter}<Text dimColor inverse={selected}>{fit("…", width)}</Text></Text>;
  const parts: ReactElement[] = [gutter];
  let used = 0;
  columns.forEach((c, i) => {
    const sep = i === 0 ? "" : " ".repeat(GAP);
    if (row.problem && (c.id !== "start" && c.id !== "user")) {
      if (c.id !== columns.find((x) => x.id !== "start" && x.id !== "user")?.id) return;
      const rest = width - used - sep.length;
      parts.push(<Text key="problem" color={theme.color("red")} inverse={selected}>{sep + fit(`⚠ ${row.problem.message}`, rest)}</Text>);
      used = width;
      return;
    }
    if (c.id === "flags") {
      const letters = FLAG_LETTERS.map(([flag, letter, colour]) => (
        <Text key={flag} color={row.flags.includes(flag) ? theme.color(colour) : undefined} bold={row.flags.includes(flag)} inverse={selected}>
          {row.flags.includes(flag) ? letter : " "}
        </Text>
      ));
      parts.push(<Text key={c.id} inverse={selected}>{sep}{letters}{" ".repeat(Math.max(0, c.width - FLAG_LETTERS.length))}</Text>);
    } else {
      const colour = c.id === "exit" && row.exit !== null && row.exit !== "0" ? theme.color("yellow")
        : c.id === "unix" && row.flags.includes(Flag.Root) ? theme.color("red") : undefined;
      parts.push(<Text key={c.id} color={colour} inverse={selected}>{sep + fit(cell(row, c.id), c.width, c.align)}</Text>);
    }
    used += sep.length + c.width;
  });
  return <Text wrap="truncate">{parts}</Text>;
}
