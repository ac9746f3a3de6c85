/**
 * Small pieces of the sentences ssh-log prints.
 *
 * @example plural(1, "block")  // "1 block"
 */

/** `n` and the noun, singular for exactly one. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** What a capture's read opened: "2010 blocks, 25 packets". */
export function blocksAndPackets(outcome: { blocks: number; events: number }): string {
  return `${plural(outcome.blocks, "block")}, ${plural(outcome.events, "packet")}`;
}

/**
 * Every control character: C0, DEL, and the C1 range, which some terminals read as ESC [ (so
 * U+009B alone begins a CSI). Text from the evidence (a header, a recording, a Logpush field) may
 * hold them, typed by the user being audited or planted, and must never reach a terminal raw.
 */
// eslint-disable-next-line no-control-regex
export const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * Text from the evidence made safe to print on a terminal, with each control character shown as
 * a mark of one column: C0 as its Control Pictures sign (␛ for ESC, ␇ for BEL), DEL as ␡, C1 as
 * �. An escape sequence planted in a field is then seen, not obeyed.
 *
 * @example showControls("host\u001b]0;pwned\u0007") // "host␛]0;pwned␇"
 */
export function showControls(text: string): string {
  return text.replace(CONTROL_CHARS, (c) => {
    const n = c.charCodeAt(0);
    return n < 0x20 ? String.fromCharCode(0x2400 + n) : n === 0x7f ? "␡" : "�";
  });
}

/**
 * Columns a character takes in a terminal: 2 for East Asian wide and emoji code points (the
 * ranges xterm's unicode 6 tables mark wide), 0 for combining marks, joiners and variation
 * selectors, 1 for the rest.
 *
 * @example charWidth("中") // 2
 */
export function charWidth(ch: string): number {
  const c = ch.codePointAt(0)!;
  if (c < 0x300) return 1; // Latin and ASCII, before the first combining mark: most text, no table or regex
  if ((c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf && c !== 0x303f) || (c >= 0xac00 && c <= 0xd7a3)
    || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6)
    || (c >= 0x1f300 && c <= 0x1faff) || (c >= 0x20000 && c <= 0x3fffd)) return 2;
  return ZERO_WIDTH.test(ch) ? 0 : 1;
}
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\u200b-\u200f\ufe00-\ufe0f]$/u;

/** Columns a string takes in a terminal (charWidth of each character). */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += charWidth(ch);
  return w;
}

/**
 * `s` cut to at most `width` columns, ending in "…" when cut, and the columns it then takes (a
 * wide character that would straddle the edge is left out, so it may be one less than `width`).
 *
 * @example cutToWidth("alice@example.com", 8) // { text: "alice@e…", width: 8, cut: true }
 */
export function cutToWidth(s: string, width: number): { text: string; width: number; cut: boolean } {
  const total = displayWidth(s);
  if (total <= width) return { text: s, width: total, cut: false };
  if (width <= 0) return { text: "", width: 0, cut: true };
  let out = "";
  let used = 0;
  for (const ch of s) {
    const w = charWidth(ch);
    if (used + w > width - 1) break;
    out += ch;
    used += w;
  }
  return { text: `${out}…`, width: used + 1, cut: true };
}
