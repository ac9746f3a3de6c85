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
  private state: State = State.Ground;
  private utf8Left = 0;

  /** True when the bytes pushed so far end between sequences and characters. */
  get atGround(): boolean {
    return this.state === State.Ground && this.utf8Left === 0;
  }

  /** Advances over `data`. */
  push(data: Uint8Array): void {
    let state = this.state;
    let left = this.utf8Left;
    for (let i = 0; i < data.length; i++) {
      const b = data[i]!;
      // CAN and SUB abort any sequence; ESC starts a new one from anywhere (even inside a string).
      if (b === 0x18 || b === 0x1a) { state = State.Ground; left = 0; continue; }
      switch (state) {
        case State.Ground:
          if (b === 0x1b) { state = State.Esc; left = 0; }
          else if (left > 0) left = b >= 0x80 && b < 0xc0 ? left - 1 : leadLength(b);
          else left = leadLength(b);
          break;
        case State.Esc:
          if (b === 0x5b) state = State.Csi;
          else if (b === 0x5d) state = State.OscStr;
          else if (b === 0x50 || b === 0x58 || b === 0x5e || b === 0x5f) state = State.Str;
          else if (b >= 0x20 && b <= 0x2f) state = State.EscInt;
          else if (b === 0x1b) state = State.Esc;
          else if (b >= 0x30 && b <= 0x7e) state = State.Ground;
          break;
        case State.EscInt:
          if (b === 0x1b) state = State.Esc;
          else if (b >= 0x30 && b <= 0x7e) state = State.Ground;
          break;
        case State.Csi:
          if (b === 0x1b) state = State.Esc;
          else if (b >= 0x40 && b <= 0x7e) state = State.Ground;
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
  }
}

/** How many continuation bytes a UTF-8 lead byte announces (0 for ASCII and stray bytes). */
function leadLength(b: number): number {
  if (b >= 0xc2 && b <= 0xdf) return 1;
  if (b >= 0xe0 && b <= 0xef) return 2;
  if (b >= 0xf0 && b <= 0xf4) return 3;
  return 0;
}
