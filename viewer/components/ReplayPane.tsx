import { Box, Text } from "ink";
import { useKeys } from "../hooks/useKeys.js";
import { useRef, useState } from "react";
import { actionFor, editLine } from "../logic/keymap.js";
import { formatClock, printable } from "../logic/format.js";

import { useReplay } from "../hooks/useReplay.js";
import type { ReplayModel } from "../replay-model.js";
import type { SessionRow } from "../source.js";
import { useTheme } from "../theme.js";
import { StatusLine } from "./StatusLine.js";
import { TerminalView } from "./TerminalView.js";
import { Timeline } from "./Timeline.js";

export interface ReplayPaneProps {
  row: SessionRow;
  load: (onProgress: (events: number) => void) => Promise<ReplayModel>;
  /** Where to start playing, microseconds: 0, or a command's time. */
  startAt: number;
  /** The command chosen to start from, to find it on the replay's timeline. */
  startId?: string;
  width: number;
  height: number;
  active: boolean;
  onBack(): void;
  onHelp(): void;
  onQuit(): void;
}

const HINTS = "Space play/pause · ←→ 5s · ]/[ next/prev command · +/- speed · / search · n/N match · ? help · q back";

/**
 * The recorded terminal played through the emulator, with a timeline, speed, seeking, command jumps and search.
 *
 * @example <ReplayPane row={row} load={(p) => loadReplay(source, row, p)} startAt={0} width={80} height={23} active onBack={back} onHelp={help} onQuit={quit} />
 */
export function ReplayPane({ row, load, startAt, startId, width, height, active, onBack, onHelp, onQuit }: ReplayPaneProps) {
  const theme = useTheme();
  const [state, controls] = useReplay(load, startAt, startId);
  const [typing, setTyping] = useState<string | null>(null);
  // The line being typed, current between renders (keys can arrive faster than React renders).
  const typed = useRef<string | null>(null);

  useKeys((input, key) => {
    if (typed.current !== null) {
      if (key.ctrl && input === "c") { onQuit(); return; }
      const r = editLine(typed.current ?? "", input, key);
      typed.current = r.done === null ? r.value : null;
      setTyping(typed.current);
      if (r.done === "submit") controls.search(r.value.trim());
      return;
    }
    const action = actionFor("replay", input, key);
    switch (action) {
      case "quit": onQuit(); break;
      case "back": onBack(); break;
      case "help": onHelp(); break;
      case "playPause": controls.playPause(); break;
      case "faster": controls.speed(1); break;
      case "slower": controls.speed(-1); break;
      case "seekBack": controls.seekBy(-5_000_000); break;
      case "seekForward": controls.seekBy(5_000_000); break;
      case "seekBackLong": controls.seekBy(-60_000_000); break;
      case "seekForwardLong": controls.seekBy(60_000_000); break;
      case "nextCommand": controls.command(1); break;
      case "prevCommand": controls.command(-1); break;
      case "start": controls.seekTo(0); break;
      case "end": controls.seekTo(Number.MAX_SAFE_INTEGER); break;
      case "search": typed.current = ""; setTyping(""); break;
      case "nextMatch": controls.match(1); break;
      case "prevMatch": controls.match(-1); break;
      case "idle": controls.toggleIdle(); break;
      default: break;
    }
  }, { isActive: active });

  const who = printable(`${row.user ?? row.unixUser ?? "unknown user"} → ${row.target ?? "unknown target"}`);
  if (state.error) {
    return (
      <Box flexDirection="column" width={width} height={height}>
        <Text bold color={theme.color("cyan")} wrap="truncate">Replay · {who}</Text>
        <Text color={theme.color("red")} wrap="wrap">⚠ {printable(state.error.message)} [{state.error.code}]</Text>
        <Text dimColor>q back</Text>
      </Box>
    );
  }
  const m = state.model;
  if (m === null) {
    return (
      <Box flexDirection="column" width={width} height={height}>
        <Text bold color={theme.color("cyan")} wrap="truncate">Replay · {who}</Text>
        <Text dimColor>Reading the recording{state.loaded > 0 ? ` (${state.loaded.toLocaleString("en-US")} output events so far)` : ""}… q goes back</Text>
      </Box>
    );
  }
  const here = state.at;
  const current = [...m.commands].reverse().find((c) => c.atMicros <= here);
  const index = current ? m.commands.indexOf(current) + 1 : 0;
  const status = `${state.clock.playing ? "▶ playing" : "⏸ paused"} ${state.clock.speed}x${state.skipIdle ? "" : " real time"}`;
  const size = `${m.cols}x${m.rows}`;
  const termHeight = height - 4;
  const cropped = m.cols > width - 2 || m.rows > termHeight;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text wrap="truncate">
        <Text bold color={theme.color("cyan")}>Replay </Text>
        <Text bold color={state.clock.playing ? theme.color("green") : theme.color("yellow")}>{status}</Text>
        <Text> · {who} · {size}{cropped ? " (cropped: enlarge the terminal to see all of it)" : ""}</Text>
      </Text>
      <TerminalView lines={state.screen.lines} runs={state.screen.runs} cursorX={state.screen.cursorX} cursorY={state.screen.cursorY} cols={m.cols} rows={m.rows} width={width} height={termHeight} />
      <Timeline at={here} duration={m.duration} commands={m.commands.map((c) => c.atMicros)} matches={state.matches} width={width} />
      <Text wrap="truncate">
        {current
          ? <Text><Text dimColor>command {index}/{m.commands.length} at +{formatClock(current.atMicros)}: </Text><Text color={current.risky ? theme.color("yellow") : undefined} bold={current.risky}>{printable(current.text)}</Text></Text>
          : <Text dimColor>{m.commands.length === 0 ? "no commands found" : `before the first of ${m.commands.length} commands`}</Text>}
      </Text>
      {typing !== null
        ? <StatusLine prompt="search: " value={typing} hints="" width={width} />
        : <StatusLine message={state.message} hints={HINTS} width={width} />}
    </Box>
  );
}
