/**
 * Text the audit store keeps from a recording: the server's output as plain lines (control
 * sequences stripped) with the time each line started, and the command lines typed on a PTY.
 * Both are streaming: feed events in order, then call end().
 */

/**
 * One line of plain output: its number among all output lines (from 0, empty ones counted) and
 * when it was complete on screen (seconds since the session began: the time its "\n" arrived),
 * which is where a replay should jump to show it.
 */
export interface TranscriptLine { lineNo: number; offsetS: number; text: string }
/** One command line typed at a terminal: the text as the shell received it, and when Enter was pressed. */
export interface TypedCommand { offsetS: number; command: string }

/** Longest line kept whole; longer output (a binary dump without newlines) is cut into pieces. */
const MAX_LINE = 1 << 20;

// CSI, OSC (BEL or ST terminated), DCS/SOS/PM/APC strings, and two-byte escapes.
// eslint-disable-next-line no-control-regex
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[PX^_][^\x1b]*\x1b\\|\x1b[()*+][0-~]|\x1b[ -/]*[0-OQ-WYZ\\`a-~]|\x9b[0-?]*[ -/]*[@-~]/g;

/**
 * Plain text of terminal output: escape sequences removed, `\b` applied, `\r` before `\n`
 * dropped and a lone `\r` (the cursor back to the line start) treated as overwriting the line.
 *
 * @example stripTerminal("\x1b[1mok\x1b[0m\r\n")  // "ok\n"
 */
export function stripTerminal(s: string): string {
  return s.replace(ESCAPES, "");
}

/** `top` written over `under` from the line start, as a terminal draws it. */
function overlay(under: string, top: string): string {
  return top.length >= under.length ? top : top + under.slice(top.length);
}

/** Splits server output into plain lines, streaming, keeping the time each line started. */
export class TranscriptBuilder {
  readonly lines: TranscriptLine[] = [];
  private readonly decoder = new TextDecoder("utf-8");
  private drawn = "";
  private current = "";
  private cr = false;
  private lineNo = 0;
  private carry = "";

  /** Feeds output bytes sent `offsetS` seconds into the session. */
  push(offsetS: number, data: Uint8Array): void {
    const text = this.carry + this.decoder.decode(data, { stream: true });
    // An escape sequence may be split across packets: hold back an unfinished one.
    const esc = text.lastIndexOf("\x1b");
    let body = text;
    this.carry = "";
    if (esc !== -1 && esc >= text.length - 64) {
      const tail = text.slice(esc);
      if (!/^\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|[()*+][0-~]|[ -/]*[0-OQ-WYZ\\`a-~])/.test(tail) && tail.length < 64) {
        this.carry = tail;
        body = text.slice(0, esc);
      }
    }
    this.take(offsetS, stripTerminal(body));
  }

  private take(offsetS: number, s: string): void {
    for (let i = 0; i < s.length; i++) {
      const ch = s[i]!;
      if (ch === "\r") { this.cr = true; continue; }
      if (ch === "\n") { this.cr = false; this.emit(offsetS); continue; }
      if (this.cr) {
        // A lone \r sends the cursor back to the line start: what follows overwrites the line.
        this.drawn = overlay(this.drawn, this.current);
        this.current = "";
        this.cr = false;
      }
      if (ch === "\b") {
        this.current = this.current.slice(0, -1);
      } else if ((ch === "\t" || ch >= " ") && ch !== "\x7f") {
        this.current += ch;
        if (this.current.length >= MAX_LINE) this.emit(offsetS);
      }
    }
  }

  private emit(offsetS: number): void {
    const text = overlay(this.drawn, this.current).replace(/\s+$/, "");
    if (text.length > 0) this.lines.push({ lineNo: this.lineNo, offsetS, text });
    this.lineNo++;
    this.current = "";
    this.drawn = "";
  }

  /** Flushes the last, unterminated line. */
  end(offsetS: number): TranscriptLine[] {
    this.take(offsetS, stripTerminal(this.carry + this.decoder.decode()));
    this.carry = "";
    if (this.current.length > 0 || this.drawn.length > 0) this.emit(offsetS);
    return this.lines;
  }
}

/**
 * Rebuilds the command lines typed on a terminal from the keystrokes: printable text, Backspace,
 * Ctrl-U and Ctrl-W edit the line, Ctrl-C drops it, Enter ends it. Cursor keys and history
 * recall cannot be replayed from keystrokes alone and are left out of the text.
 */
export class CommandCollector {
  readonly commands: TypedCommand[] = [];
  private readonly decoder = new TextDecoder("utf-8");
  private line = "";

  /** Feeds keystrokes sent `offsetS` seconds into the session. */
  push(offsetS: number, data: Uint8Array): void {
    const s = stripTerminal(this.decoder.decode(data, { stream: true }));
    for (const ch of s) {
      if (ch === "\r" || ch === "\n") {
        const cmd = this.line.trim();
        if (cmd.length > 0) this.commands.push({ offsetS, command: cmd });
        this.line = "";
      } else if (ch === "\x7f" || ch === "\b") {
        this.line = [...this.line].slice(0, -1).join("");
      } else if (ch === "\x15") {
        this.line = "";
      } else if (ch === "\x17") {
        this.line = this.line.replace(/\S+\s*$/, "");
      } else if (ch === "\x03") {
        this.line = "";
      } else if (ch === "\t" || ch >= " ") {
        if (this.line.length < MAX_LINE) this.line += ch;
      }
    }
  }

  /** The commands typed; a last line never ended with Enter is not a command that ran. */
  end(): TypedCommand[] {
    return this.commands;
  }
}
