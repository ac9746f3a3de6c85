import { openCapture } from "../../lib/session/open-capture.js";
import type { BenchContext } from "../lib/context.js";
import { atMost, median, now, type Row } from "../lib/measure.js";

/** Terminal output as a shell session prints it: lines of text, some coloured, prompts, a clear now and then. */
function terminalText(bytes: number): Buffer {
  const parts: string[] = [];
  let n = 0;
  for (let i = 0; n < bytes; i++) {
    let line: string;
    if (i % 997 === 0) line = "\x1b[H\x1b[2J$ clear";
    else if (i % 50 === 0) line = `\x1b[1;32mdeploy@web-01\x1b[0m:\x1b[1;34m~/app\x1b[0m$ ls -la src/module-${i}`;
    else if (i % 7 === 0) line = `\x1b[33mwarning\x1b[0m: line ${i} of the build log, ${"x".repeat(i % 40)} done`;
    else line = `-rw-r--r-- 1 deploy deploy ${String(i * 37 % 100000).padStart(6)} Oct 14 06:52 file-${i}.txt ${"abcdefghij".repeat(i % 6)}`;
    parts.push(line, "\r\n");
    n += line.length + 2;
  }
  return Buffer.from(parts.join(""), "latin1");
}

/**
 * replay: a PTY session with `replayBytes` of output is loaded into the terminal player (load time
 * reported, not judged), then the player seeks to 24 points (ends, middle, quarters, and spread
 * pseudo-random ones) and draws the screen; the slowest seek+draw must stay under 200 ms.
 *
 * @example const rows = await benchReplay(ctx);
 */
export async function benchReplay(ctx: BenchContext): Promise<Row[]> {
  const bytes = ctx.config.replayBytes;
  const text = terminalText(4 << 20);
  // Keystrokes come from their own text, so the server's output is one unbroken stream whose
  // escape sequences are all whole (output cut at random would leave pens and charsets set).
  const cap = await ctx.capture(`replay-${bytes}`, "v3", {
    dataBytes: bytes, blockBytes: 64 << 10, packetData: (i) => (i % 10 === 0 ? 1 : 200 + ((i * 7919) % 3800)),
    source: (i) => (i % 10 === 0 ? 0 : 1), gapMicros: (i) => 2_000 + (i % 50) * 1_000, blockPerPacket: false, pty: true, text,
    clientText: Buffer.from("ls -la\r"),
  });
  const { TerminalPlayer } = await import("../../lib/terminal/player.js");
  const t0 = now();
  const session = await openCapture(cap.path, { privateKey: ctx.privateKey, mode: "strict" });
  const player = await TerminalPlayer.load(session);
  const load = now() - t0;
  try {
    const d = player.duration;
    const points = [d, 0, d / 2, d / 4, (3 * d) / 4, d - 1];
    for (let i = 0; points.length < 24; i++) points.push(((i * 2654435761) >>> 0) % Math.max(1, d));
    const times: number[] = [];
    let lines = 0;
    for (const p of points) {
      const t = now();
      await player.seek(p);
      lines += player.screen().lines.length;
      times.push(now() - t);
    }
    if (lines === 0) throw new Error("the player drew no screen lines");
    const worst = Math.max(...times) * 1000;
    return [atMost("replay, seek + draw (100 MB target)", "ms", worst, 200, `${(bytes / 1e6).toFixed(0)} MB of output, ${player.events.length} output events; worst of ${points.length} seeks (median ${(median(times) * 1000).toFixed(1)} ms); load ${load.toFixed(1)} s`)];
  } finally {
    player.dispose();
  }
}
