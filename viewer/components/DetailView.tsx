import { Box, Text } from "ink";
import { fit, formatClock, formatTime, printable } from "../logic/format.js";
import { detailLayout, scrollTop } from "../logic/layout.js";
import type { SessionDetail, SessionRow } from "../source.js";
import { useTheme } from "../theme.js";

export interface DetailViewProps {
  row: SessionRow;
  detail: SessionDetail | null;
  loading: boolean;
  cursor: number;
  width: number;
  height: number;
}

/**
 * Enter on a session: metadata, the access context of the hour before, and the commands with their times.
 *
 * @example <DetailView row={row} detail={detail} loading={false} cursor={0} width={80} height={22} />
 */
export function DetailView({ row, detail, loading, cursor, width, height }: DetailViewProps) {
  const theme = useTheme();
  const fields = detail?.fields ?? [];
  const context = detail?.context ?? [];
  const commands = detail?.commands ?? [];
  const title = <Text bold color={theme.color("cyan")} wrap="truncate">Session · {printable(row.user ?? row.unixUser ?? "unknown user")} → {printable(row.target ?? "unknown target")} · {formatTime(row.startedAt, true)} UTC</Text>;
  const problem = detail?.problem ? <Text color={theme.color("red")} wrap="truncate">⚠ {printable(detail.problem.message)} [{detail.problem.code}]</Text> : null;
  const body = height - 1 - (problem ? 1 : 0);
  const lay = detailLayout(body, fields.length, context.length, commands.length);
  const labelWidth = Math.min(16, Math.max(8, ...fields.map(([l]) => l.length + 1)));
  const lines = [];
  for (const [label, value] of fields.slice(0, lay.fields)) {
    lines.push(<Text key={`f${label}`} wrap="truncate"><Text bold>{fit(label, labelWidth)}</Text>{printable(value)}</Text>);
  }
  lines.push(<Text key="ct" bold wrap="truncate">Access in the hour before ({context.length})</Text>);
  if (context.length === 0 && lay.context > 0) lines.push(<Text key="c0" dimColor wrap="truncate">{loading ? "loading…" : detail?.contextNote ?? "none recorded"}</Text>);
  // The latest ones when not all fit: those closest to the session.
  for (const ev of lay.context > 0 ? context.slice(Math.max(0, context.length - lay.context)) : []) {
    const colour = ev.kind === "denied" ? theme.color("red") : ev.kind === "login" ? theme.color("green") : undefined;
    lines.push(<Text key={`c${ev.at}${ev.text}`} wrap="truncate"><Text dimColor>{formatTime(ev.at, true)} </Text><Text color={colour}>{printable(ev.text)}</Text></Text>);
  }
  lines.push(<Text key="mt" bold wrap="truncate">Commands ({commands.length}) · Enter replays from the selected one</Text>);
  if (commands.length === 0) lines.push(<Text key="m0" dimColor wrap="truncate">{loading ? "loading…" : "no commands found"}</Text>);
  const top = scrollTop(cursor, 0, lay.commands, commands.length);
  commands.slice(top, top + lay.commands).forEach((c, i) => {
    const index = top + i;
    const selected = index === cursor;
    lines.push(
      <Text key={`m${index}`} wrap="truncate" inverse={selected}>
        <Text bold>{selected ? "› " : "  "}</Text>
        <Text dimColor={!selected}>{fit(`+${formatClock(c.atMicros)}`, 11)}</Text>
        <Text color={c.risky ? theme.color("yellow") : undefined} bold={c.risky}>{c.risky ? "! " : "  "}{printable(c.text)}</Text>
      </Text>,
    );
  });
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      {title}
      {problem}
      {lines}
    </Box>
  );
}
