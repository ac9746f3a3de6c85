/**
 * Caps the repeat counts of the few CSI sequences whose cost in the terminal emulator grows with
 * their count. A recording's output is written by whoever sat at the other end: 13 bytes such as
 * "ESC [ 2147483647 S" (scroll up two billion lines) kept xterm.js busy for over an hour, stalling
 * export, replay, view and index. Capped at the screen size, every one of these has exactly the
 * effect it would have had (a region cannot scroll, and a line cannot lose, more than it holds),
 * except REP, whose output is capped at one screenful per sequence.
 *
 * The filter must see a sequence exactly as xterm's parser will, or a crafted one slips past: so it
 * follows xterm's rules (VT500 transitions, its UTF-8 decoder, its Params limits) wherever they
 * decide what a CSI's parameters are, and hands everything else on untouched.
 */

/** Finals whose count is bounded by the screen's rows: SU, SD, IL, DL. */
const BY_ROWS = new Set([0x53, 0x54, 0x4c, 0x4d]); // S T L M
/** Finals whose count is bounded by the screen's columns: ICH, DCH, ECH, CHT, CBT. */
const BY_COLS = new Set([0x40, 0x50, 0x58, 0x49, 0x5a]); // @ P X I Z
const REP = 0x62; // b
/** xterm saturates every parameter here, and keeps at most this many parameters and sub-parameters. */
const MAX_VALUE = 2147483647;
const MAX_PARAMS = 32;

/** Ground; after ESC; after a C2 at ground (maybe a C1 CSI); inside a CSI's parameters. */
const enum S { Ground, Esc, C2, Csi }

/**
 * A streaming filter: feed it the output in any chunking, it returns bytes that have on xterm the
 * same effect with the counts above capped. Only a CSI's parameters are held back until its final
 * byte, normalised as xterm reads them (no leading zeros, values saturated, parameters past its
 * limit dropped), so what is held stays under a kilobyte whatever the input.
 *
 * @example
 *   const clamp = new CsiClamp(() => ({ cols: 80, rows: 24 }));
 *   clamp.push(Buffer.from("\x1b[2147483647S"))   // "\x1b[24S"
 */
export class CsiClamp {
  private state = S.Ground;
  /** The current CSI's parameter bytes (0-9 ; :), normalised. */
  private params: number[] = [];
  private runStart = 0; // where the current digit run starts in `params`
  private count = 1; // parameters so far (xterm starts a CSI with one)
  private subs = 0; // sub-parameters so far
  private inSub = false;
  private rejectDigits = false; // past MAX_PARAMS: xterm ignores every further digit
  private rejectSub = false; // past MAX_PARAMS sub-parameters: xterm ignores their digits
  /** A UTF-8 character begun inside an escape sequence: its bytes and how many are still due. */
  private utf8: number[] = [];
  private utf8Left = 0;

  /** `size` gives the screen's current size (it may change between chunks). */
  constructor(private readonly size: () => { cols: number; rows: number }) {}

  push(data: Uint8Array): Uint8Array {
    // Fast path: nothing to look at unless an ESC or a C1 CSI (UTF-8 C2 9B) is present or pending.
    // (A chunk ending in C2 may be the first half of a C1 CSI.)
    if (this.state === S.Ground && data.indexOf(0x1b) < 0 && data.indexOf(0x9b) < 0 && data[data.length - 1] !== 0xc2) return data;
    const out: number[] = [];
    const pieces: Uint8Array[] = [];
    const flush = (): void => { if (out.length > 0) { pieces.push(Uint8Array.from(out)); out.length = 0; } };
    let from = 0; // start of the bytes at ground not yet handed on
    let i = 0;
    while (i < data.length) {
      const b = data[i]!;
      if (this.state === S.Ground) {
        if (b === 0x1b || b === 0xc2) {
          if (i > from) { flush(); pieces.push(data.subarray(from, i)); }
          this.state = b === 0x1b ? S.Esc : S.C2;
          if (b === 0x1b) out.push(b);
        }
        i++;
        if (this.state === S.Ground) continue;
        from = data.length; // nothing to hand on from `data` until ground again
        continue;
      }
      if (this.state === S.C2) {
        out.push(0xc2);
        if (b === 0x9b) { out.push(b); this.startCsi(); i++; continue; }
        this.state = S.Ground; // not a CSI: this byte is looked at again from ground
        from = i;
        continue;
      }
      // In an escape sequence, bytes of 0x80 and up are read as xterm's UTF-8 decoder reads them.
      if (this.utf8Left > 0) {
        if ((b & 0xc0) === 0x80) {
          this.utf8.push(b);
          i++;
          if (--this.utf8Left === 0) from = this.endUtf8(out, data, i);
          continue;
        }
        this.utf8 = []; // an unfinished character: xterm drops it and reads this byte afresh
        this.utf8Left = 0;
      }
      if (b >= 0x80) {
        const need = (b & 0xe0) === 0xc0 ? 1 : (b & 0xf0) === 0xe0 ? 2 : (b & 0xf8) === 0xf0 ? 3 : 0;
        if (need > 0) { this.utf8 = [b]; this.utf8Left = need; } // else a byte xterm drops
        i++;
        continue;
      }
      i++;
      if (b === 0x18 || b === 0x1a) { this.endSeq(out, b); from = i; continue; } // CAN, SUB: cancelled
      if (b === 0x1b) { this.endSeq(out, b); this.state = S.Esc; continue; }
      if (b < 0x20 || b === 0x7f) { out.push(b); continue; } // executed (or ignored) in place, the sequence goes on
      if (this.state === S.Esc) {
        out.push(b);
        if (b === 0x5b) this.startCsi(); // ESC [
        else { this.state = S.Ground; from = i; } // another escape sequence: not ours to judge
        continue;
      }
      // Inside a CSI.
      if (b >= 0x30 && b <= 0x3b) { this.param(b); continue; }
      if (b >= 0x40) { // the final byte
        out.push(...this.rewrite(b));
        this.state = S.Ground;
      } else this.endSeq(out, b); // a private marker or an intermediate: another sequence, left alone
      from = i;
    }
    flush();
    if (this.state === S.Ground && from < data.length) pieces.push(data.subarray(from));
    return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
  }

  private startCsi(): void {
    this.state = S.Csi;
    this.params = [];
    this.runStart = 0;
    this.count = 1;
    this.subs = 0;
    this.inSub = this.rejectDigits = this.rejectSub = false;
  }

  /** Hands on what is held untouched (the sequence was cut or is not one we judge), then `bytes`. */
  private endSeq(out: number[], ...bytes: number[]): void {
    if (this.state === S.Csi) out.push(...this.params);
    out.push(...bytes);
    this.params = [];
    this.state = S.Ground;
  }

  /** A whole UTF-8 character inside an escape sequence; returns where ground bytes start. */
  private endUtf8(out: number[], data: Uint8Array, i: number): number {
    const bytes = this.utf8;
    this.utf8 = [];
    const cp = bytes.length === 2 ? ((bytes[0]! & 0x1f) << 6) | (bytes[1]! & 0x3f)
      : bytes.length === 3 ? ((bytes[0]! & 0x0f) << 12) | ((bytes[1]! & 0x3f) << 6) | (bytes[2]! & 0x3f)
      : ((bytes[0]! & 0x07) << 18) | ((bytes[1]! & 0x3f) << 12) | ((bytes[2]! & 0x3f) << 6) | (bytes[3]! & 0x3f);
    const min = bytes.length === 2 ? 0x80 : bytes.length === 3 ? 0x800 : 0x10000;
    // Over-long forms, surrogates, beyond U+10FFFF and the BOM: xterm drops them, the sequence goes on.
    if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff || cp === 0xfeff) return data.length;
    if (cp === 0x9b) { this.endSeq(out, 0xc2, 0x9b); this.startCsi(); return data.length; } // C1 CSI: a new one
    this.endSeq(out, ...bytes); // any other C1 control or character ends the sequence
    return i;
  }

  /** One parameter byte (0-9 ; :), kept as xterm's Params would read it. */
  private param(b: number): void {
    if (this.rejectDigits) return;
    const p = this.params;
    if (b === 0x3b) {
      if (this.count >= MAX_PARAMS) { this.rejectDigits = true; return; }
      this.count++;
      this.inSub = false;
    } else if (b === 0x3a) {
      if (this.rejectSub || this.subs >= MAX_PARAMS) { this.rejectSub = this.inSub = true; return; }
      this.subs++;
      this.inSub = true;
    } else {
      if (this.inSub && this.rejectSub) return;
      if (p.length > this.runStart && p[this.runStart] === 0x30) p.pop(); // no leading zeros
      p.push(b);
      if (p.length - this.runStart > 10 || (p.length - this.runStart === 10 && Number(String.fromCharCode(...p.slice(this.runStart))) > MAX_VALUE)) {
        p.length = this.runStart;
        p.push(...Buffer.from(String(MAX_VALUE), "latin1"));
      }
      return;
    }
    p.push(b);
    this.runStart = p.length;
  }

  /** The held parameters and the final byte, with the count capped when it needs to be. */
  private rewrite(final: number): number[] {
    const held = this.params;
    this.params = [];
    const { cols, rows } = this.size();
    const limit = BY_ROWS.has(final) ? Math.max(1, rows) : BY_COLS.has(final) ? Math.max(1, cols) : final === REP ? Math.max(1, cols * rows) : null;
    if (limit === null) return [...held, final];
    const capped = String.fromCharCode(...held).split(";").map((p) => {
      const [value = "", ...subs] = p.split(":");
      return [value === "" || Number(value) <= limit ? value : String(limit), ...subs].join(":");
    });
    return [...Buffer.from(capped.join(";"), "latin1"), final];
  }
}
