/**
 * Caps the repeat counts of the few CSI sequences whose cost in the terminal emulator grows with
 * their count. A recording's output is written by whoever sat at the other end: 13 bytes such as
 * "ESC [ 2147483647 S" (scroll up two billion lines) kept xterm.js busy for over an hour, stalling
 * export, replay, view and index. Capped at the screen size, every one of these has exactly the
 * effect it would have had (a region cannot scroll, and a line cannot lose, more than it holds),
 * except REP, whose output is capped at one screenful per sequence.
 */

/** Finals whose count is bounded by the screen's rows: SU, SD, IL, DL. */
const BY_ROWS = new Set([0x53, 0x54, 0x4c, 0x4d]); // S T L M
/** Finals whose count is bounded by the screen's columns: ICH, DCH, ECH, CHT, CBT. */
const BY_COLS = new Set([0x40, 0x50, 0x58, 0x49, 0x5a]); // @ P X I Z
const REP = 0x62; // b
/** A CSI longer than this is not ours to judge: passed on as it is. */
const MAX_CSI = 64;

const enum S { Ground, Esc, Csi, C2 }

/**
 * A streaming filter: feed it the output in any chunking, it returns the same bytes with the
 * counts above capped. Sequences split across chunks are held back until they end (at most 64 bytes).
 *
 * @example
 *   const clamp = new CsiClamp(() => ({ cols: 80, rows: 24 }));
 *   clamp.push(Buffer.from("\x1b[2147483647S"))   // "\x1b[24S"
 */
export class CsiClamp {
  private state = S.Ground;
  private held: number[] = [];

  /** `size` gives the screen's current size (it may change between chunks). */
  constructor(private readonly size: () => { cols: number; rows: number }) {}

  push(data: Uint8Array): Uint8Array {
    // Fast path: nothing to look at unless an ESC or a C1 CSI (UTF-8 C2 9B) is present or pending.
    // (A chunk ending in C2 may be the first half of a C1 CSI.)
    if (this.state === S.Ground && data.indexOf(0x1b) < 0 && data.indexOf(0x9b) < 0 && data[data.length - 1] !== 0xc2) return data;
    const pieces: Uint8Array[] = [];
    let from = 0; // start of the bytes not yet handed on, while at ground
    let i = 0;
    while (i < data.length) {
      const b = data[i]!;
      if (this.state === S.Ground) {
        if (b === 0x1b || b === 0xc2) {
          if (i > from) pieces.push(data.subarray(from, i));
          this.held = [b];
          this.state = b === 0x1b ? S.Esc : S.C2;
        }
        i++;
        if (this.state === S.Ground) continue;
        from = i;
        continue;
      }
      if (this.state === S.Esc || this.state === S.C2) {
        if ((this.state === S.Esc && b === 0x5b) || (this.state === S.C2 && b === 0x9b)) {
          this.held.push(b);
          this.state = S.Csi;
          i++;
          from = i;
          continue;
        }
        // Not a CSI: hand on what was held and look at this byte again from ground.
        pieces.push(Uint8Array.from(this.held));
        this.held = [];
        this.state = S.Ground;
        from = i;
        continue;
      }
      // Inside a CSI.
      if (b === 0x1b || b === 0x18 || b === 0x1a || this.held.length >= MAX_CSI) {
        // Cancelled, or not a sequence we judge: hand it on untouched; ESC is looked at again.
        pieces.push(Uint8Array.from(this.held));
        this.held = [];
        this.state = S.Ground;
        from = i;
        continue;
      }
      this.held.push(b);
      i++;
      from = i;
      if (b >= 0x40 && b <= 0x7e) {
        pieces.push(Uint8Array.from(this.rewrite(this.held)));
        this.held = [];
        this.state = S.Ground;
      }
    }
    if (this.state === S.Ground && from < data.length) pieces.push(data.subarray(from));
    return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
  }

  /** A whole CSI sequence (introducer to final), with its count capped when it needs to be. */
  private rewrite(seq: number[]): number[] {
    const final = seq[seq.length - 1]!;
    const body = seq.slice(2, -1); // after ESC [ or C2 9B
    // Only plain numeric parameters: private markers (? > = <), intermediates or sub-parameters
    // mean another sequence, left alone.
    if (body.some((c) => !(c >= 0x30 && c <= 0x39) && c !== 0x3b)) return seq;
    const { cols, rows } = this.size();
    const limit = BY_ROWS.has(final) ? Math.max(1, rows) : BY_COLS.has(final) ? Math.max(1, cols) : final === REP ? Math.max(1, cols * rows) : null;
    if (limit === null) return seq;
    let changed = false;
    const capped = String.fromCharCode(...body).split(";").map((p) => {
      if (p.length === 0 || (p.length <= 9 && Number(p) <= limit)) return p;
      changed = true;
      return String(limit);
    });
    if (!changed) return seq;
    return [...seq.slice(0, 2), ...Buffer.from(capped.join(";"), "latin1"), final];
  }
}
