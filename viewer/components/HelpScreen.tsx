import { Box, Text } from "ink";
import { helpRows, type Screen } from "../logic/keymap.js";
import { fit } from "../logic/format.js";
import { useTheme } from "../theme.js";
import { FLAG_LETTERS } from "./SessionRowLine.js";

const TITLES: Record<Screen, string> = { list: "Session list", detail: "Session detail", replay: "Replay" };
const FLAG_NAMES: Record<string, string> = { root: "root", risky: "risky command", denied: "denied nearby", truncated: "truncated", noexit: "no exit data" };

/** `?`: every key of the current screen (from the key map itself), the filter syntax and the flag letters. */
export function HelpScreen({ screen, width, height }: { screen: Screen; width: number; height: number }) {
  const theme = useTheme();
  const rows = helpRows(screen);
  const labelWidth = Math.min(20, Math.max(...rows.map((r) => r.label.length)) + 2);
  const lines = [
    <Text key="t" bold color={theme.color("cyan")} wrap="truncate">{TITLES[screen]}: keys (? or Esc closes this)</Text>,
    ...rows.map((r) => <Text key={r.label} wrap="truncate"><Text bold>{fit(r.label, labelWidth)}</Text>{r.help}</Text>),
  ];
  if (screen === "list") {
    lines.push(
      <Text key="fs" wrap="wrap"><Text bold>Filter: </Text>words match user, target or command text; narrow with user:NAME target:NAME cmd:TEXT is:root is:risky is:denied is:truncated is:noexit</Text>,
      <Text key="fl" wrap="wrap"><Text bold>Flags: </Text>{FLAG_LETTERS.map(([flag, letter, colour]) => (
        <Text key={flag}><Text bold color={theme.color(colour)}>{letter}</Text> {FLAG_NAMES[flag]}  </Text>
      ))}</Text>,
    );
  }
  if (screen === "replay") {
    lines.push(<Text key="tl" wrap="wrap"><Text bold>Timeline: </Text>● where you are, ┃ a command, ◆ a search match</Text>);
  }
  return <Box flexDirection="column" width={width} height={height} overflow="hidden">{lines}</Box>;
}
