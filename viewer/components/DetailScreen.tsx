import { Box } from "ink";
import { useKeys } from "../hooks/useKeys.js";
import { useRef, useState } from "react";
import { actionFor } from "../logic/keymap.js";
import { moveCursor } from "../logic/layout.js";
import { useSessionDetail } from "../hooks/useSessionDetail.js";
import type { SessionRow, SessionSource } from "../source.js";
import { DetailView } from "./DetailView.js";
import { StatusLine } from "./StatusLine.js";

export interface DetailScreenProps {
  source: SessionSource;
  row: SessionRow;
  width: number;
  height: number;
  active: boolean;
  /** Replay from a moment: a command's time (and id), or 0 for the start. */
  onReplay(startAt: number, startId?: string): void;
  onBack(): void;
  onHelp(): void;
  onQuit(): void;
}

const HINTS = "↑↓ choose a command · Enter replay from it · r replay from the start · ? help · q back";

/**
 * A session's details: metadata, access context, commands; Enter on a command replays from there.
 *
 * @example <DetailScreen source={source} row={row} width={80} height={23} active onReplay={play} onBack={back} onHelp={help} onQuit={quit} />
 */
export function DetailScreen({ source, row, width, height, active, onReplay, onBack, onHelp, onQuit }: DetailScreenProps) {
  const { detail, loading } = useSessionDetail(source, row);
  const [cursor, setCursorState] = useState(0);
  // The cursor as of the last key, for keys that arrive before the next render.
  const cursorNow = useRef(0);
  const setCursor = (next: number | ((c: number) => number)): void => {
    cursorNow.current = typeof next === "function" ? next(cursorNow.current) : next;
    setCursorState(cursorNow.current);
  };
  const commands = detail?.commands ?? [];
  // The commands the last render showed, for keys that arrive before Ink swaps the key handler.
  const commandsNow = useRef(commands);
  commandsNow.current = commands;
  useKeys((input, key) => {
    const action = actionFor("detail", input, key);
    switch (action) {
      case "quit": onQuit(); break;
      case "back": onBack(); break;
      case "help": onHelp(); break;
      case "up": setCursor((c) => moveCursor(c, -1, commandsNow.current.length)); break;
      case "down": setCursor((c) => moveCursor(c, 1, commandsNow.current.length)); break;
      case "pageUp": setCursor((c) => moveCursor(c, -10, commandsNow.current.length)); break;
      case "pageDown": setCursor((c) => moveCursor(c, 10, commandsNow.current.length)); break;
      case "top": setCursor(0); break;
      case "bottom": setCursor(Math.max(0, commandsNow.current.length - 1)); break;
      case "open": {
        const c = commandsNow.current[cursorNow.current];
        onReplay(c ? c.atMicros : 0, c?.id);
        break;
      }
      case "replay": onReplay(0); break;
      default: break;
    }
  }, { isActive: active });
  return (
    <Box flexDirection="column" width={width} height={height}>
      <DetailView row={row} detail={detail} loading={loading} cursor={cursor} width={width} height={height - 1} />
      <StatusLine message={null} hints={HINTS} width={width} />
    </Box>
  );
}
