import { loadXterm } from "../../lib/terminal/load-xterm.js";

/**
 * The counts xterm's parser hands to the costly CSI handlers (the ones CsiClamp caps) for `bytes`,
 * each with its cap. The handlers are replaced by ones that only record (and claim the sequence),
 * so a sequence that slips past the clamp fails a test at once instead of keeping xterm busy.
 *
 * @example
 *   await countsSeen(Buffer.from("\x1b[99S"), { cols: 80, rows: 24 })  // [{ final: "S", count: 99, limit: 24 }]
 */
export async function countsSeen(bytes: Uint8Array, size: { cols: number; rows: number }): Promise<Array<{ final: string; count: number; limit: number }>> {
  const { Terminal } = await loadXterm();
  const t = new Terminal({ cols: size.cols, rows: size.rows, scrollback: 0, allowProposedApi: true, logLevel: "off" });
  const seen: Array<{ final: string; count: number; limit: number }> = [];
  for (const final of "STLM@PXIZb") {
    const limit = "STLM".includes(final) ? size.rows : final === "b" ? size.cols * size.rows : size.cols;
    t.parser.registerCsiHandler({ final }, (params) => {
      const p = params[0] ?? 0;
      seen.push({ final, count: typeof p === "number" ? p : (p[0] ?? 0), limit });
      return true;
    });
  }
  await new Promise<void>((r) => t.write(bytes, r));
  t.dispose();
  return seen;
}
