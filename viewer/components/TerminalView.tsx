import { Box, Text } from "ink";
import { cropRuns, withCursor, type Run } from "../logic/cells.js";
import { fit } from "../logic/format.js";
import { useTheme } from "../theme.js";

/** One row of the recorded screen in its own colours (attributes only under NO_COLOR). */
function StyledRow({ runs, width, colours }: { runs: readonly Run[]; width: number; colours: boolean }) {
  const cut = cropRuns(runs, width);
  const used = cut.reduce((n, r) => n + r.width, 0);
  return (
    <Text wrap="truncate">
      {cut.map((r, i) => (
        <Text key={i} color={colours ? r.fg : undefined} backgroundColor={colours ? r.bg : undefined}
          bold={r.bold} dimColor={r.dim} italic={r.italic} underline={r.underline} inverse={r.inverse}>
          {r.text}
        </Text>
      ))}
      {" ".repeat(Math.max(0, width - used))}
    </Text>
  );
}

/**
 * The recorded terminal's screen, cropped to the space there is: whole rows around the cursor
 * when the recording is taller, its left part when it is wider.
 *
 * @example <TerminalView lines={screen.lines} runs={screen.runs} cursorX={screen.cursorX} cursorY={screen.cursorY} cols={80} rows={24} width={100} height={26} />
 */
export function TerminalView({ lines, runs, cursorX, cursorY, cols, rows, width, height }: { lines: readonly string[]; runs?: readonly Run[][]; cursorX: number; cursorY: number; cols: number; rows: number; width: number; height: number }) {
  const theme = useTheme();
  const w = Math.max(1, Math.min(cols, width - 2));
  // The top and bottom border only when every row fits with them: rows matter more than a frame.
  const framed = height >= rows + 2;
  const h = Math.max(1, Math.min(rows, framed ? height - 2 : height));
  const top = Math.max(0, Math.min(rows - h, cursorY - h + 1));
  const shown = [];
  for (let i = 0; i < h; i++) {
    // The recorded cursor shows as an inverse cell, so a paused frame shows where typing goes.
    const r0 = runs?.[top + i];
    const r = r0 && top + i === cursorY ? withCursor(r0, cursorX) : r0;
    shown.push(r ? <StyledRow key={i} runs={r} width={w} colours={theme.enabled} /> : <Text key={i} wrap="truncate">{fit(lines[top + i] ?? "", w)}</Text>);
  }
  return (
    <Box flexDirection="column" borderStyle="round" borderTop={framed} borderBottom={framed} width={w + 2} height={framed ? h + 2 : h} overflow="hidden">
      {shown}
    </Box>
  );
}
