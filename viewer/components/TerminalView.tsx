import { Box, Text } from "ink";
import { fit } from "../logic/format.js";

/**
 * The recorded terminal's screen, cropped to the space there is: whole rows around the cursor
 * when the recording is taller, its left part when it is wider.
 */
export function TerminalView({ lines, cursorY, cols, rows, width, height }: { lines: readonly string[]; cursorY: number; cols: number; rows: number; width: number; height: number }) {
  const w = Math.max(1, Math.min(cols, width - 2));
  // The top and bottom border only when every row fits with them: rows matter more than a frame.
  const framed = height >= rows + 2;
  const h = Math.max(1, Math.min(rows, framed ? height - 2 : height));
  const top = Math.max(0, Math.min(rows - h, cursorY - h + 1));
  const shown = [];
  for (let i = 0; i < h; i++) shown.push(<Text key={i} wrap="truncate">{fit(lines[top + i] ?? "", w)}</Text>);
  return (
    <Box flexDirection="column" borderStyle="round" borderTop={framed} borderBottom={framed} width={w + 2} height={framed ? h + 2 : h} overflow="hidden">
      {shown}
    </Box>
  );
}
