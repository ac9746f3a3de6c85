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
