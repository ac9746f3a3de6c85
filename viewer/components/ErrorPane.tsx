import { Box, Text } from "ink";
import { useKeys } from "../hooks/useKeys.js";
import { printable } from "../logic/format.js";
import { useTheme } from "../theme.js";

/**
 * A failure shown in place of a screen, with the way out; q goes back, Ctrl-C quits.
 *
 * @example <ErrorPane title="Replay" message={e.message} code={e.code} onBack={back} onQuit={quit} />
 */
export function ErrorPane({ title, message, code, onBack, onQuit }: { title: string; message: string; code: string; onBack(): void; onQuit(): void }) {
  const theme = useTheme();
  useKeys((input, key) => {
    if (key.ctrl && input === "c") onQuit();
    else if (input === "q" || key.escape) onBack();
  });
  return (
    <Box flexDirection="column">
      <Text bold color={theme.color("cyan")}>{title}</Text>
      <Text color={theme.color("red")} wrap="wrap">⚠ {printable(message)} [{code}]</Text>
      <Text dimColor>q back · Ctrl-C quit</Text>
    </Box>
  );
}
