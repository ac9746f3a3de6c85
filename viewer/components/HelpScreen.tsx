import { Box, Text } from "ink";
import type { ReactElement } from "react";
import { helpRows, type Screen } from "../logic/keymap.js";
import { fit, wrapText } from "../logic/format.js";
import { useTheme } from "../theme.js";
import { flagLegend } from "./SessionRowLine.js";

const TITLES: Record<Screen, string> = { list: "Session list", detail: "Session detail", replay: "Replay" };

/**
 * `?`: every key of the current screen (from the key map itself), the filter syntax and the flag
 * letters, one screen line per line; what does not fit says so.
 *
 * @example <HelpScreen screen="replay" width={80} height={23} />
 */
export function HelpScreen({ screen, width, height }: { screen: Screen; width: number; height: number }) {
  const theme = useTheme();
  const rows = helpRows(screen);
  const labelWidth = Math.min(20, Math.max(...rows.map((r) => r.label.length)) + 2);
  const lines: ReactElement[] = [
    <Text key="t" bold color={theme.color("cyan")} wrap="truncate">{TITLES[screen]}: keys (? or Esc closes this)</Text>,
    ...rows.map((r) => <Text key={r.label} wrap="truncate"><Text bold>{fit(r.label, labelWidth)}</Text>{r.help}</Text>),
  ];
  const paragraph = (key: string, title: string, text: string): void => {
    wrapText(`${title} ${text}`, width).forEach((l, i) => lines.push(<Text key={`${key}${i}`} wrap="truncate">{l}</Text>));
  };
  if (screen === "list") {
    paragraph("fs", "Filter:", 'every word must match the user, target or a command ("quotes" keep words together); narrow with user:NAME target:NAME cmd:TEXT is:root is:risky is:denied is:truncated is:noexit');
    paragraph("fl", "Flags:", flagLegend(", "));
  }
  if (screen === "replay") paragraph("tl", "Timeline:", "● where you are, ┃ a command, ◆ a search match");
  const shown = lines.length <= height ? lines : [...lines.slice(0, Math.max(1, height - 1)), <Text key="more" dimColor wrap="truncate">… {lines.length - height + 1} more lines: enlarge the terminal</Text>];
  return <Box flexDirection="column" width={width} height={height}>{shown}</Box>;
}
