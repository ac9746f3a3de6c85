/**
 * Reads what a client typed: printable characters apart from the escape sequences of arrow and
 * function keys (and the terminal's own answers to queries), and where lines end.
 */

/**
 * A key that ends a line of input: Enter (CR or LF), or Ctrl-C which abandons it.
 *
 * @example isLineEnd(0x0d) === true
 */
export function isLineEnd(b: number): boolean {
  return b === 0x0d || b === 0x0a || b === 0x03;
}

/**
 * Splits typed bytes into runs: the escape sequences (keys such as arrows, and terminal replies)
 * and everything else, so that printable text can be told from key codes.
 *
 * @example [...keyRuns(Buffer.from("ab\x1b[Dc"))] // [{esc:false,"ab"}, {esc:true,"\x1b[D"}, {esc:false,"c"}]
 */
export function* keyRuns(data: Uint8Array): Iterable<{ esc: boolean; start: number; end: number }> {
  let i = 0;
  while (i < data.length) {
    if (data[i] === 0x1b) {
      const end = escapeEnd(data, i);
      yield { esc: true, start: i, end };
      i = end;
    } else {
      let j = i;
      while (j < data.length && data[j] !== 0x1b) j++;
      yield { esc: false, start: i, end: j };
      i = j;
    }
  }
}

/** The end (exclusive) of the escape sequence starting at `i`. */
function escapeEnd(d: Uint8Array, i: number): number {
  const next = d[i + 1];
  if (next === undefined) return i + 1;
  if (next === 0x5b) { // CSI: parameters then a final byte
    let j = i + 2;
    while (j < d.length && !(d[j]! >= 0x40 && d[j]! <= 0x7e)) j++;
    return Math.min(j + 1, d.length);
  }
  if (next === 0x5d || next === 0x50 || next === 0x5f) { // OSC, DCS, APC replies: up to BEL or ESC \
    let j = i + 2;
    while (j < d.length && d[j] !== 0x07 && !(d[j] === 0x1b && d[j + 1] === 0x5c)) j++;
    return Math.min(d[j] === 0x07 ? j + 1 : j + 2, d.length);
  }
  if (next === 0x4f) return Math.min(i + 3, d.length); // SS3: ESC O x (application cursor keys)
  return i + 2; // ESC x (Alt+key)
}

/**
 * The printable text of typed bytes, with backspace and DEL applied: what the line buffer of a
 * cooked terminal would hold. A fallback for when the screen cannot say (pasted lines).
 *
 * @example typedText(Buffer.from("lsx\x7f -la")) === "ls -la"
 */
export function typedText(data: Uint8Array): string {
  let out = "";
  for (const run of keyRuns(data)) {
    if (run.esc) continue;
    const s = Buffer.from(data.subarray(run.start, run.end)).toString("utf8");
    for (const ch of s) {
      if (ch === "\x7f" || ch === "\b") out = [...out].slice(0, -1).join("");
      else if (ch === "\x15") out = ""; // Ctrl-U
      else if (ch >= " " || ch === "\t") out += ch === "\t" ? "" : ch;
    }
  }
  return out;
}

/**
 * The printable characters of typed bytes or of output (no editing applied, escape sequences and controls removed).
 *
 * @example printableOf(Buffer.from("a b\x1b[Ac")) === "abc"
 */
export function printableOf(data: Uint8Array): string {
  let out = "";
  for (const run of keyRuns(data)) {
    if (run.esc) continue;
    for (const ch of Buffer.from(data.subarray(run.start, run.end)).toString("utf8")) if (ch > " " && ch !== "\x7f") out += ch;
  }
  return out;
}

/**
 * How many characters of `typed` appear in `shown` in order (greedy): the share of what was typed
 * that the server echoed back.
 *
 * @example echoedCount("hunter2", "\r\n") === 0
 */
export function echoedCount(typed: string, shown: string): number {
  let j = 0;
  let n = 0;
  for (const ch of typed) {
    const k = shown.indexOf(ch, j);
    if (k < 0) continue;
    n++;
    j = k + ch.length;
  }
  return n;
}
