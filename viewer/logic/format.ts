/**
 * How values read on screen: times in UTC, short durations, exit states. Plain functions so the
 * list, the detail and the replay pane agree.
 */

import { CONTROL_CHARS, charWidth, cutToWidth } from "../../lib/text.js";

export { charWidth };

/**
 * A unix time as `YYYY-MM-DD HH:MM` (UTC), or with seconds when `seconds` is set.
 *
 * @example formatTime(1791960738) // "2026-10-14 06:52"
 */
export function formatTime(unixSeconds: number, seconds = false): string {
  if (!Number.isFinite(unixSeconds)) return "?";
  const iso = new Date(Math.floor(unixSeconds) * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, seconds ? 19 : 16)}`;
}

/**
 * A duration in seconds as the shortest readable form: `45s`, `12m03s`, `3h04m`, `2d03h`.
 *
 * @example formatDuration(3725) // "1h02m"
 */
export function formatDuration(sec: number | null): string {
  if (sec === null || !Number.isFinite(sec) || sec < 0) return "-";
  const s = Math.floor(sec);
  if (s < 60) return `${s}s`;
  const two = (n: number): string => String(n).padStart(2, "0");
  if (s < 3600) return `${Math.floor(s / 60)}m${two(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${two(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86400)}d${two(Math.floor((s % 86400) / 3600))}h`;
}

/**
 * A position in a recording, microseconds, as `M:SS.s` or `H:MM:SS`.
 *
 * @example formatClock(83_400_000) // "1:23.4"
 */
export function formatClock(micros: number): string {
  const totalTenths = Math.max(0, Math.floor(micros / 100_000));
  const tenths = totalTenths % 10;
  const total = Math.floor(totalTenths / 10);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number): string => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}.${tenths}`;
}

/**
 * The exit column's text from a termination record.
 *
 * @example exitText({ status: 1, signal: null, coreDumped: false, errorMessage: null }) // "1"
 */
export function exitText(exit: { status: number | null; signal: string | null; coreDumped: boolean; errorMessage: string | null } | null): string | null {
  if (exit === null) return null;
  if (exit.errorMessage !== null) return "error";
  if (exit.coreDumped) return "core";
  if (exit.signal !== null && exit.signal !== "") return exit.signal.startsWith("SIG") ? exit.signal : `SIG${exit.signal}`;
  return String(exit.status ?? 0);
}

/**
 * Text from a recording or a store made safe to print: every control character (CONTROL_CHARS)
 * becomes a space, so no escape sequence in a command, an email or a host name reaches the
 * auditor's terminal. (The CLI's tables and inspect show them as marks instead, showControls;
 * the viewer's columns have always shown a blank.)
 *
 * @example printable("host\u001b]0;pwned\u0007") // "host ]0;pwned "
 */
export function printable(text: string): string {
  return text.replace(CONTROL_CHARS, " ");
}

/**
 * Cuts text to `width` terminal columns (wide characters count two, combining marks none),
 * ending in `…` when cut, and pads it to exactly `width` columns.
 *
 * @example fit("alice@example.com", 8) // "alice@e…"
 */
export function fit(text: string, width: number, align: "left" | "right" = "left"): string {
  if (width <= 0) return "";
  const cut = cutToWidth(printable(text), width);
  const pad = " ".repeat(width - cut.width);
  // A cut text ends in its ellipsis: a wide character left out at the edge leaves a blank before it.
  if (cut.cut) return `${cut.text.slice(0, -1)}${pad}…`;
  return align === "left" ? cut.text + pad : pad + cut.text;
}

/**
 * Breaks text into lines of at most `width` columns at spaces (a word longer than the width is cut).
 *
 * @example wrapText("words match user, target", 12) // ["words match", "user, target"]
 */
export function wrapText(text: string, width: number): string[] {
  if (width <= 0) return [];
  const out: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    let w = word;
    while (Array.from(w).length > width) {
      if (line !== "") { out.push(line); line = ""; }
      out.push(Array.from(w).slice(0, width).join(""));
      w = Array.from(w).slice(width).join("");
    }
    if (w === "") continue;
    if (line === "") line = w;
    else if (Array.from(line).length + 1 + Array.from(w).length <= width) line += ` ${w}`;
    else { out.push(line); line = w; }
  }
  if (line !== "") out.push(line);
  return out;
}
