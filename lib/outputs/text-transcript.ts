import type { IMarker } from "@xterm/headless";
import { Source, type Session } from "../session/model.js";
import { Emulator } from "../terminal/emulator.js";
import type { Sink } from "./output-target.js";

/** What a transcript write produced. */
export interface TranscriptResult {
  lines: number;
}

const SCROLLBACK = 5000;
// Events are fed in pieces this small so that no piece can push more lines into the scrollback
// than it holds before the lines are read out.
const PIECE = 2048;

/**
 * Writes a session as plain text, as a person saw it: the output runs through the terminal
 * emulator, so carriage-return progress bars, backspaces, cursor movement and colours are applied
 * rather than stripped. Every line that scrolled by is kept (the scrollback), lines the terminal
 * wrapped are joined, the screen is saved before `clear` erases it, and a full-screen program's last
 * screen is kept when it exits. Streams: memory does not grow with the session.
 *
 * @example await writeTo("session.txt", process.stdout, (sink) => writeTextTranscript(session, sink));
 */
export async function writeTextTranscript(session: Session, sink: Sink): Promise<TranscriptResult> {
  const pty = session.info.pty;
  const cols = pty?.width || 80;
  const rows = pty?.height || 24;
  const emu = await Emulator.create({ cols, rows, scrollback: SCROLLBACK, convertEol: pty === null });
  const term = emu.term;
  const normal = term.buffer.normal;
  const pending: string[] = [];
  let count = 0;
  // The last line already written, tracked by a marker so that it follows the scrollback's trimming.
  let lastWritten: IMarker | null = null;

  const next = (): number => (lastWritten && !lastWritten.isDisposed ? lastWritten.line + 1 : 0);
  const markLine = (y: number): void => {
    lastWritten?.dispose();
    lastWritten = null;
    if (y < 0 || term.buffer.active.type !== "normal") return;
    lastWritten = term.registerMarker(y - (normal.baseY + normal.cursorY)) ?? null;
  };
  // Writes the logical lines of the normal buffer in [from, to), never splitting a wrapped line.
  const writeRange = (from: number, to: number, trimBlankTail: boolean): number => {
    while (to > from && to < normal.length && normal.getLine(to)?.isWrapped) to--;
    const out: string[] = [];
    for (let y = from; y < to; y++) {
      const line = normal.getLine(y);
      if (!line) break;
      const text = line.translateToString(true).trimEnd();
      if (line.isWrapped && out.length > 0 && y > from) out[out.length - 1] = out[out.length - 1]!.padEnd(cols) + text;
      else out.push(text);
    }
    if (trimBlankTail) while (out.length > 0 && out[out.length - 1] === "") out.pop();
    for (const l of out) pending.push(`${l}\n`);
    count += out.length;
    return to;
  };
  const flushScrollback = (): void => {
    if (term.buffer.active.type !== "normal") return;
    const from = next();
    if (normal.baseY > from) {
      const to = writeRange(from, normal.baseY, false);
      markLine(to - 1);
    }
  };
  const screenLines = (buf: typeof normal): string[] => {
    const out: string[] = [];
    for (let y = 0; y < rows; y++) out.push(buf.getLine(buf.baseY + y)?.translateToString(true).trimEnd() ?? "");
    while (out.length > 0 && out[out.length - 1] === "") out.pop();
    while (out.length > 0 && out[0] === "") out.shift();
    return out;
  };

  // Before the screen is erased (ED 2, ED 3): save what it shows.
  term.parser.registerCsiHandler({ final: "J" }, (params) => {
    const p = params[0];
    if (term.buffer.active.type !== "normal" || (p !== 2 && p !== 3)) return false;
    flushScrollback();
    if (p === 2) {
      const to = writeRange(next(), normal.baseY + rows, true);
      void to;
      markLine(normal.baseY - 1); // the erased screen's rows are new from here on
    }
    return false;
  });
  // When a full-screen program starts: write the lines above the cursor first, so the program's
  // screen comes after them.
  term.parser.registerCsiHandler({ prefix: "?", final: "h" }, (params) => {
    if (term.buffer.active.type !== "normal") return false;
    if (!params.some((p) => p === 1049 || p === 1047 || p === 47)) return false;
    flushScrollback();
    const cursorLine = normal.baseY + normal.cursorY;
    const from = next();
    if (cursorLine > from) markLine(writeRange(from, cursorLine, false) - 1);
    return false;
  });
  // When a full-screen program leaves the alternate screen: keep its last screen.
  term.parser.registerCsiHandler({ prefix: "?", final: "l" }, (params) => {
    if (term.buffer.active.type !== "alternate") return false;
    if (!params.some((p) => p === 1049 || p === 1047 || p === 47)) return false;
    for (const l of screenLines(term.buffer.alternate)) { pending.push(`${l}\n`); count++; }
    return false;
  });

  try {
    let n = 0;
    for await (const ev of session.events()) {
      if (ev.source !== Source.Server) continue;
      for (let at = 0; at < ev.data.length; at += PIECE) {
        emu.feed(ev.data.subarray(at, at + PIECE));
        emu.at(() => flushScrollback());
      }
      if (++n % 256 === 0 || pending.length > 512) {
        await emu.settle();
        if (pending.length > 0) await sink.write(pending.splice(0).join(""));
      } else {
        await emu.throttle();
      }
    }
    emu.flushDeferred();
    emu.at(() => {
      flushScrollback();
      if (term.buffer.active.type === "alternate") {
        writeRange(next(), normal.baseY + rows, true);
        for (const l of screenLines(term.buffer.alternate)) { pending.push(`${l}\n`); count++; }
      } else {
        writeRange(next(), normal.baseY + rows, true);
      }
    });
    await emu.settle();
    if (pending.length > 0) await sink.write(pending.splice(0).join(""));
    return { lines: count };
  } finally {
    emu.dispose();
  }
}
