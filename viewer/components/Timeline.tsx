import { Text } from "ink";
import { formatClock } from "../logic/format.js";
import { timelineBar } from "../logic/replay.js";
import { useTheme } from "../theme.js";

/**
 * Where you are in the recording: the clock, the bar with command and match marks, the length.
 *
 * @example <Timeline at={5_000_000} duration={60_000_000} commands={[2_000_000]} matches={[]} width={80} />
 */
export function Timeline({ at, duration, commands, matches, width }: { at: number; duration: number; commands: readonly number[]; matches: readonly number[]; width: number }) {
  const theme = useTheme();
  const left = formatClock(at);
  const right = formatClock(duration);
  const bar = timelineBar(Math.max(0, width - left.length - right.length - 2), at, duration, commands, matches);
  return (
    <Text wrap="truncate">
      <Text bold>{left}</Text> <Text color={theme.color("cyan")}>{bar}</Text> <Text dimColor>{right}</Text>
    </Text>
  );
}
