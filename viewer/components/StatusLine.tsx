import { Text } from "ink";
import { printable } from "../logic/format.js";
import { useTheme } from "../theme.js";

/**
 * The bottom line: a line being typed (filter, search) with its cursor, a message, or the key hints.
 *
 * @example <StatusLine prompt="/" value="rm -rf" hints="" width={80} />
 */
export function StatusLine({ prompt, value, message, hints, width }: { prompt?: string; value?: string; message?: { text: string; error: boolean } | null; hints: string; width: number }) {
  const theme = useTheme();
  if (prompt !== undefined) {
    return (
      <Text wrap="truncate">
        <Text bold color={theme.color("cyan")}>{prompt}</Text>
        <Text>{printable(value ?? "")}</Text>
        <Text inverse> </Text>
        <Text dimColor>  Enter keep · Esc cancel</Text>
      </Text>
    );
  }
  if (message) return <Text wrap="truncate" color={message.error ? theme.color("red") : theme.color("green")}>{message.error ? "⚠ " : ""}{printable(message.text)}</Text>;
  return <Text wrap="truncate" dimColor>{hints.slice(0, Math.max(0, width))}</Text>;
}
