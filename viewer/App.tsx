import { Box, useApp } from "ink";
import { useKeys } from "./hooks/useKeys.js";
import { useCallback, useState } from "react";
import type { Screen } from "./logic/keymap.js";
import { keyName } from "./logic/keymap.js";
import { useTerminalSize } from "./hooks/useTerminalSize.js";
import type { ReplayModel } from "./replay-model.js";
import type { SessionRow, SessionSource } from "./source.js";
import { ThemeContext, type Theme } from "./theme.js";
import { DetailScreen } from "./components/DetailScreen.js";
import { ErrorBoundary } from "./components/ErrorBoundary.js";
import { HelpScreen } from "./components/HelpScreen.js";
import { INITIAL_LIST, ListScreen, type ListState } from "./components/ListScreen.js";
import { ReplayPane } from "./components/ReplayPane.js";

type View =
  | { screen: "list" }
  | { screen: "detail"; row: SessionRow }
  | { screen: "replay"; row: SessionRow; startAt: number; startId?: string };

export interface AppProps {
  source: SessionSource;
  /** Builds the replay of a session (the terminal emulator over its events). */
  loadReplay(source: SessionSource, row: SessionRow, onProgress?: (events: number) => void): Promise<ReplayModel>;
  theme: Theme;
  /** Filter text to start with. */
  initialFilter?: string;
  /** Called when the user quits, before the app exits (tests and the CLI listen here). */
  onQuit?(): void;
}

/**
 * The viewer: the session list, a session's detail, its replay, and `?` help over any of them.
 * Ctrl-C quits from anywhere; q and Esc go back one screen.
 *
 * @example render(<App source={source} loadReplay={loadReplay} theme={themeFor(process.env)} />)
 */
export function App({ source, loadReplay, theme, initialFilter, onQuit }: AppProps) {
  const { exit } = useApp();
  const { columns, rows } = useTerminalSize();
  // One line short of the terminal: Ink redraws a frame as tall as the terminal by clearing it, which flickers.
  const width = Math.max(20, columns);
  const height = Math.max(6, rows - 1);
  const [stack, setStack] = useState<View[]>([{ screen: "list" }]);
  const [help, setHelp] = useState(false);
  const [list, setList] = useState<ListState>({ ...INITIAL_LIST, filter: initialFilter ?? "" });
  const view = stack[stack.length - 1]!;
  const quit = useCallback(() => { onQuit?.(); exit(); }, [exit, onQuit]);
  const back = useCallback(() => { setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)); }, []);
  const push = (v: View): void => { setStack((s) => [...s, v]); };
  const openHelp = (): void => { setHelp(true); };

  useKeys((input, key) => {
    const name = keyName(input, key);
    if (name === "ctrl+c") quit();
    else if (name === "?" || name === "esc" || name === "q") setHelp(false);
  }, { isActive: help });

  const screen: Screen = view.screen;
  let body;
  if (help) {
    body = <HelpScreen screen={screen} width={width} height={height} />;
  }
  return (
    <ThemeContext.Provider value={theme}>
      <Box flexDirection="column" width={width} height={height}>
        {body}
        <Box display={help ? "none" : "flex"} flexDirection="column">
          <ErrorBoundary key={stack.length} title={`ssh-log view · ${screen}`} onBack={stack.length > 1 ? back : quit} onQuit={quit}>
            {view.screen === "list" && (
              <ListScreen source={source} state={list} setState={setList} width={width} height={height} active={!help}
                onOpen={(row) => { push({ screen: "detail", row }); }}
                onReplay={(row) => { push({ screen: "replay", row, startAt: 0 }); }}
                onHelp={openHelp} onQuit={quit} />
            )}
            {view.screen === "detail" && (
              <DetailScreen source={source} row={view.row} width={width} height={height} active={!help}
                onReplay={(startAt, startId) => { push({ screen: "replay", row: view.row, startAt, startId }); }}
                onBack={back} onHelp={openHelp} onQuit={quit} />
            )}
            {view.screen === "replay" && (
              <ReplayPane row={view.row} load={(onProgress) => loadReplay(source, view.row, onProgress)} startAt={view.startAt} startId={view.startId} width={width} height={height} active={!help}
                onBack={back} onHelp={openHelp} onQuit={quit} />
            )}
          </ErrorBoundary>
        </Box>
      </Box>
    </ThemeContext.Provider>
  );
}
