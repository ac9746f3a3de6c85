/**
 * Taking the terminal over and giving it back: the alternate screen, the cursor and raw mode.
 * The way back runs exactly once, whichever comes first: a normal exit, an error, a signal, or
 * the process ending. Shared by the viewer (`ssh-log view`) and the replay (`ssh-log replay`).
 */

/** ESC[?1049h: switch to the alternate screen (the shell's screen is kept and comes back on leaving). */
export const ENTER_ALT_SCREEN = "\u001b[?1049h";
/** ESC[?1049l: back to the main screen. */
export const LEAVE_ALT_SCREEN = "\u001b[?1049l";
/** ESC[?25h: show the cursor (Ink and the replay hide it while running). */
export const SHOW_CURSOR = "\u001b[?25h";

export interface Tty {
  write(s: string): unknown;
}
export interface TtyIn {
  isTTY?: boolean;
  setRawMode?: (on: boolean) => unknown;
}

/** The process events the restore hooks onto; the real `process` in use, a stand-in in tests. */
export interface ProcessLike {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
}

/**
 * Switches to the alternate screen and returns `restore`, which leaves it, shows the cursor and
 * turns raw mode off, once. Until it runs, it is also hooked to the process's `exit` and to SIGINT,
 * SIGTERM and SIGHUP (after which `onSignal` decides how to end), so no path leaves the user's
 * terminal in raw mode on a blank screen.
 *
 * @example
 *   const restore = enterFullScreen(process.stdout, process.stdin, process, (sig) => process.exit(130));
 *   try { await app.waitUntilExit(); } finally { restore(); }
 */
export function enterFullScreen(out: Tty, input: TtyIn, proc: ProcessLike, onSignal: (signal: string) => void): () => void {
  let done = false;
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  const handlers = new Map<string, () => void>();
  const restore = (): void => {
    if (done) return;
    done = true;
    proc.off("exit", restore);
    for (const [sig, h] of handlers) proc.off(sig, h);
    try { if (input.isTTY) input.setRawMode?.(false); } catch { /* stdin already closed: nothing to restore */ }
    out.write(SHOW_CURSOR + LEAVE_ALT_SCREEN);
  };
  for (const sig of signals) {
    const h = (): void => { restore(); onSignal(sig); };
    handlers.set(sig, h);
    proc.on(sig, h);
  }
  proc.on("exit", restore);
  out.write(ENTER_ALT_SCREEN);
  return restore;
}
