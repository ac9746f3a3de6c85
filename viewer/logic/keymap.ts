/**
 * Every key the viewer knows, per screen, in one table: the screens act on it and the `?` help
 * screen is printed from it, so the two cannot disagree.
 */
import { IDLE_LIMIT_MICROS } from "./replay.js";

/** What Ink reports for a key press (the fields this module reads). */
export interface KeyInfo {
  upArrow?: boolean; downArrow?: boolean; leftArrow?: boolean; rightArrow?: boolean;
  pageUp?: boolean; pageDown?: boolean; home?: boolean; end?: boolean;
  return?: boolean; escape?: boolean; tab?: boolean; backspace?: boolean; delete?: boolean;
  ctrl?: boolean; shift?: boolean; meta?: boolean;
}

/**
 * One name for a key press: "up", "pagedown", "enter", "esc", "ctrl+c", "shift+left", or the
 * character typed.
 *
 * @example keyName("", { upArrow: true }) // "up"
 */
export function keyName(input: string, key: KeyInfo): string {
  const arrow = key.upArrow ? "up" : key.downArrow ? "down" : key.leftArrow ? "left" : key.rightArrow ? "right" : null;
  if (arrow) return key.shift ? `shift+${arrow}` : arrow;
  if (key.pageUp) return "pageup";
  if (key.pageDown) return "pagedown";
  if (key.home) return "home";
  if (key.end) return "end";
  if (key.return) return "enter";
  if (key.escape) return "esc";
  if (key.tab) return key.shift ? "shift+tab" : "tab";
  if (key.backspace || key.delete) return "backspace";
  if (key.ctrl && input.length === 1) return `ctrl+${input.toLowerCase()}`;
  return input;
}

export type Screen = "list" | "detail" | "replay";

export type Action =
  | "up" | "down" | "pageUp" | "pageDown" | "top" | "bottom"
  | "open" | "replay" | "back" | "quit" | "help" | "filter" | "clearFilter" | "sort" | "refresh"
  | "playPause" | "faster" | "slower" | "seekBack" | "seekForward" | "seekBackLong" | "seekForwardLong"
  | "nextCommand" | "prevCommand" | "search" | "nextMatch" | "prevMatch" | "start" | "end" | "idle";

export interface Binding {
  keys: string[];
  /** How the help screen writes the keys. */
  label: string;
  action: Action;
  help: string;
}

const b = (keys: string[], label: string, action: Action, help: string): Binding => ({ keys, label, action, help });

/** Keys every screen shares, listed last in help. */
const COMMON: Binding[] = [
  b(["?"], "?", "help", "show or hide this help"),
  b(["ctrl+c"], "Ctrl-C", "quit", "quit at once, from anywhere"),
];

/** Back one screen, on every screen but the list. */
const BACK = b(["q", "esc"], "q Esc", "back", "back to the previous screen");

export const KEYMAP: Record<Screen, Binding[]> = {
  list: [
    b(["up", "k"], "↑ k", "up", "previous session"),
    b(["down", "j"], "↓ j", "down", "next session"),
    b(["pageup", "ctrl+b"], "PgUp Ctrl-B", "pageUp", "page up"),
    b(["pagedown", "ctrl+f", " "], "PgDn Ctrl-F Space", "pageDown", "page down"),
    b(["home", "g"], "Home g", "top", "first session"),
    b(["end", "G"], "End G", "bottom", "last session"),
    b(["enter", "right", "l"], "Enter → l", "open", "open the session: details, context, commands"),
    b(["r"], "r", "replay", "replay the session from the start"),
    b(["/"], "/", "filter", "filter as you type (syntax below)"),
    b(["x", "esc"], "x Esc", "clearFilter", "clear the filter"),
    b(["q"], "q", "quit", "quit"),
    b(["s"], "s", "sort", "cycle the order: newest, oldest, longest, user, target"),
    b(["R", "ctrl+r"], "R Ctrl-R", "refresh", "reload the list"),
  ],
  detail: [
    b(["up", "k"], "↑ k", "up", "previous command"),
    b(["down", "j"], "↓ j", "down", "next command"),
    b(["pageup"], "PgUp", "pageUp", "commands page up"),
    b(["pagedown"], "PgDn", "pageDown", "commands page down"),
    b(["home", "g"], "Home g", "top", "first command"),
    b(["end", "G"], "End G", "bottom", "last command"),
    b(["enter"], "Enter", "open", "replay from the selected command"),
    b(["r"], "r", "replay", "replay from the start"),
    b(["left", "h"], "← h", "back", "back to the list"),
    BACK,
  ],
  replay: [
    b([" ", "p"], "Space p", "playPause", "play or pause"),
    b(["+", "=", ">"], "+ >", "faster", "play faster (up to 16x)"),
    b(["-", "<"], "- <", "slower", "play slower (down to 0.25x)"),
    b(["left", "h"], "← h", "seekBack", "back 5 seconds"),
    b(["right", "l"], "→ l", "seekForward", "forward 5 seconds"),
    b(["shift+left", "H", "pageup"], "Shift-← H PgUp", "seekBackLong", "back 1 minute"),
    b(["shift+right", "L", "pagedown"], "Shift-→ L PgDn", "seekForwardLong", "forward 1 minute"),
    b(["]", "down", "j"], "] ↓ j", "nextCommand", "next command"),
    b(["[", "up", "k"], "[ ↑ k", "prevCommand", "previous command"),
    b(["home", "g"], "Home g", "start", "to the start"),
    b(["end", "G"], "End G", "end", "to the end"),
    b(["/"], "/", "search", "search the session's output; lands where the text appeared"),
    b(["n"], "n", "nextMatch", "next match"),
    b(["N"], "N", "prevMatch", "previous match"),
    b(["i"], "i", "idle", `cut silences to ${IDLE_LIMIT_MICROS / 1e6} s while playing, or play in real time`),
    BACK,
  ],
};

/**
 * The action a key press means on a screen, or null. Ctrl-C always means quit.
 *
 * @example actionFor("list", "s", {}) // "sort"
 */
export function actionFor(screen: Screen, input: string, key: KeyInfo): Action | null {
  const name = keyName(input, key);
  if (name === "ctrl+c") return "quit";
  for (const binding of [...KEYMAP[screen], ...COMMON]) if (binding.keys.includes(name)) return binding.action;
  return null;
}

/**
 * The help screen's rows for a screen: its own keys, then the common ones.
 *
 * @example helpRows("replay")[0] // { label: "Space p", help: "play or pause" }
 */
export function helpRows(screen: Screen): Array<{ label: string; help: string }> {
  return [...KEYMAP[screen], ...COMMON].map(({ label, help }) => ({ label, help }));
}

/** The result of one key press on a line being typed (the filter, a search). */
export interface LineEdit {
  value: string;
  /** "submit" on Enter, "cancel" on Esc, null while typing. */
  done: "submit" | "cancel" | null;
}

/**
 * Applies a key press to a line being typed: characters append, Backspace deletes one,
 * Ctrl-U clears, Ctrl-W deletes a word, Enter submits, Esc cancels.
 *
 * @example editLine("rm -r", "f", {}) // { value: "rm -rf", done: null }
 */
export function editLine(value: string, input: string, key: KeyInfo): LineEdit {
  const name = keyName(input, key);
  if (name === "enter") return { value, done: "submit" };
  if (name === "esc") return { value, done: "cancel" };
  if (name === "backspace") return { value: Array.from(value).slice(0, -1).join(""), done: null };
  if (name === "ctrl+u") return { value: "", done: null };
  if (name === "ctrl+w") return { value: value.replace(/\S+\s*$/, ""), done: null };
  if (key.ctrl || key.meta || name !== input) return { value, done: null };
  // Pasted text arrives as one input; keep printable characters only.
  const printable = input.replace(/[\u0000-\u001f\u007f]/g, "");
  return { value: value + printable, done: null };
}

/**
 * Splits what arrived in one read into single key presses. Ink hands over a run of plain
 * characters as one input ("jjj\r" when keys come faster than it reads, or a paste); each
 * character is a key of its own, Enter, Backspace, Tab and Ctrl-letters included.
 *
 * @example splitKeys("j\r", {}) // [["j", {}], ["\r", { return: true }]]
 */
export function splitKeys(input: string, key: KeyInfo): Array<[string, KeyInfo]> {
  const chars = Array.from(input);
  const special = key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown || key.home || key.end || key.escape || key.meta;
  if (chars.length <= 1 || special) return [[input, key]];
  return chars.map((ch): [string, KeyInfo] => {
    const code = ch.codePointAt(0)!;
    if (ch === "\r" || ch === "\n") return [ch, { return: true }];
    if (ch === "\u007f" || ch === "\b") return [ch, { backspace: true }];
    if (ch === "\t") return [ch, { tab: true }];
    if (code >= 1 && code <= 26) return [String.fromCharCode(code + 96), { ctrl: true }];
    return [ch, { shift: ch !== ch.toLowerCase() }];
  });
}
