/**
 * Tracks, byte by byte, whether a terminal byte stream is between sequences: not inside an escape
 * sequence, a control string (OSC, DCS, APC...) or a UTF-8 character. Only there can the emulator's
 * state be read, snapshotted or a marker be slipped into the stream without changing its meaning.
 */

const State = { Ground: 0, Esc: 1, EscInt: 2, Csi: 3, Str: 4, StrEsc: 5, OscStr: 6 } as const;
type State = (typeof State)[keyof typeof State];

/**
 * A tiny VT500-style state machine that only tells ground from not-ground.
 *
 * @example
 *   const s = new VtScanner(); s.push(Buffer.from("\x1b[01;3")); s.atGround === false;
 *   s.push(Buffer.from("2m")); s.atGround === true;
 */
export class VtScanner {
  /** Rows of the screen, to tell a full-screen scroll region from a partial one. */
  constructor(private readonly rows = 24) {}

  private state: State = State.Ground;
  private params = "";
  private csiPrivate = false;
  private escInter = 0;
  /** Designated character sets that are not US-ASCII (G0..G3 as bits). */
  private charsets = 0;
  private penDefault = true;
  private regionFull = true;
  private utf8Left = 0;
  private c1Lead = false;

  /** True when the bytes pushed so far end between sequences and characters. */
  get atGround(): boolean {
    return this.state === State.Ground && this.utf8Left === 0;
  }

  /**
   * True when, besides being at ground, the terminal holds no state that a serialized screen
   * cannot carry: default colours and attributes for the next character, a full-screen scroll
   * region and US-ASCII character sets. Snapshots are taken only there.
   */
  get plainState(): boolean {
    return this.atGround && this.penDefault && this.regionFull && this.charsets === 0;
  }

  /** Advances over `data`. */
  push(data: Uint8Array): void {
    let state = this.state;
    let left = this.utf8Left;
    let c1Lead = this.c1Lead;
    for (let i = 0; i < data.length; i++) {
      const b = data[i]!;
      // CAN and SUB abort any sequence; ESC starts a new one from anywhere (even inside a string).
      if (b === 0x18 || b === 0x1a) { state = State.Ground; left = 0; continue; }
      if (b === 0x1b) { this.params = ""; this.csiPrivate = false; }
      switch (state) {
        case State.Ground:
          if (b === 0x1b) { state = State.Esc; left = 0; }
          else if (left > 0 && b >= 0x80 && b < 0xc0) {
            left--;
            // U+0080..U+009F encoded in UTF-8 are C1 controls to the emulator: CSI, OSC, DCS...
            if (left === 0 && c1Lead && b < 0xa0) { state = c1State(b); this.params = ""; this.csiPrivate = false; }
          } else { left = leadLength(b); c1Lead = b === 0xc2; }
          break;
        case State.Esc:
          if (b === 0x5b) { state = State.Csi; this.params = ""; this.csiPrivate = false; }
          else if (b === 0x5d) state = State.OscStr;
          else if (b === 0x50 || b === 0x58 || b === 0x5e || b === 0x5f) state = State.Str;
          else if (b >= 0x20 && b <= 0x2f) { state = State.EscInt; this.escInter = b; }
          else if (b === 0x1b) state = State.Esc;
          else if (b >= 0x30 && b <= 0x7e) {
            state = State.Ground;
            if (b === 0x63) { this.penDefault = true; this.regionFull = true; this.charsets = 0; } // ESC c: full reset
          }
          break;
        case State.EscInt:
          if (b === 0x1b) state = State.Esc;
          else if (b >= 0x30 && b <= 0x7e) {
            state = State.Ground;
            const slot = "()*+-./".indexOf(String.fromCharCode(this.escInter));
            if (slot >= 0) {
              const bit = 1 << (slot % 4);
              this.charsets = b === 0x42 ? this.charsets & ~bit : this.charsets | bit; // 'B' is US-ASCII
            }
          }
          break;
        case State.Csi:
          if (b === 0x1b) state = State.Esc;
          else if (b >= 0x40 && b <= 0x7e) { state = State.Ground; this.csiDone(b); }
          else if (b >= 0x3c && b <= 0x3f) this.csiPrivate = true;
          else if (this.params.length < 64) this.params += String.fromCharCode(b);
          break;
        case State.OscStr:
          if (b === 0x07) state = State.Ground;
          else if (b === 0x1b) state = State.StrEsc;
          break;
        case State.Str:
          if (b === 0x1b) state = State.StrEsc;
          break;
        case State.StrEsc:
          // ESC \ is the string terminator; any other ESC sequence aborts the string and starts anew.
          if (b === 0x5c) state = State.Ground;
          else if (b === 0x5b) state = State.Csi;
          else if (b === 0x5d) state = State.OscStr;
          else if (b === 0x50 || b === 0x58 || b === 0x5e || b === 0x5f) state = State.Str;
          else if (b >= 0x20 && b <= 0x2f) state = State.EscInt;
          else if (b === 0x1b) state = State.StrEsc;
          else state = State.Ground;
          break;
      }
    }
    this.state = state;
    this.utf8Left = left;
    this.c1Lead = c1Lead;
  }

  private csiDone(final: number): void {
    if (this.csiPrivate) return;
    const p = this.params;
    if (p.includes(" ") || p.includes("!") || p.includes("$") || p.includes("\"") || p.includes("'")) {
      if (final === 0x70 && p.includes("!")) { this.penDefault = true; this.regionFull = true; this.charsets = 0; } // DECSTR
      return;
    }
    if (final === 0x6d) this.penDefault = sgrIsDefault(p);
    else if (final === 0x72) {
      const [top, bottom] = p.split(";").map((x) => (x === "" ? NaN : Number(x)));
      this.regionFull = (top === undefined || Number.isNaN(top) || top <= 1) && (bottom === undefined || Number.isNaN(bottom) || bottom >= this.rows);
    }
  }
}

/** The SGR parameters leave the pen at its defaults when the last attribute set is a reset. */
function sgrIsDefault(params: string): boolean {
  const ps = params.split(";");
  let def = false;
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i]!.split(":")[0]!;
    if (p === "" || /^0+$/.test(p)) { def = true; continue; }
    def = false;
    if ((p === "38" || p === "48" || p === "58") && !ps[i]!.includes(":")) i += ps[i + 1] === "5" ? 2 : ps[i + 1] === "2" ? 4 : 0;
  }
  return def;
}

/** The state a C1 control (0x80-0x9f, as a code point) leads to. */
function c1State(c: number): State {
  if (c === 0x9b) return State.Csi;
  if (c === 0x9d) return State.OscStr;
  if (c === 0x90 || c === 0x98 || c === 0x9e || c === 0x9f) return State.Str;
  return State.Ground;
}

/** How many continuation bytes a UTF-8 lead byte announces (0 for ASCII and stray bytes). */
function leadLength(b: number): number {
  if (b >= 0xc2 && b <= 0xdf) return 1;
  if (b >= 0xe0 && b <= 0xef) return 2;
  if (b >= 0xf0 && b <= 0xf4) return 3;
  return 0;
}
