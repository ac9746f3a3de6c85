import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CsiClamp } from "../../../lib/terminal/clamp-csi.js";
import { loadXterm } from "../../../lib/terminal/load-xterm.js";
import { chunkAt } from "../../fuzz/fuzz-config.js";

const SIZE = { cols: 80, rows: 24 };
const run = (chunks: Uint8Array[]): string => {
  const c = new CsiClamp(() => SIZE);
  return Buffer.concat(chunks.map((x) => Buffer.from(c.push(x)))).toString("latin1");
};
const b = (s: string): Buffer => Buffer.from(s, "latin1");

describe("CsiClamp", () => {
  it("caps the counts whose cost grows with them, at the screen size", () => {
    expect(run([b("a\x1b[2147483647Sb")])).toBe("a\x1b[24Sb");
    expect(run([b("\x1b[99999T\x1b[99999L\x1b[99999M")])).toBe("\x1b[24T\x1b[24L\x1b[24M");
    expect(run([b("\x1b[99999@\x1b[99999P\x1b[99999X\x1b[99999I\x1b[99999Z")])).toBe("\x1b[80@\x1b[80P\x1b[80X\x1b[80I\x1b[80Z");
    expect(run([b("x\x1b[99999999999999999999b")])).toBe("x\x1b[1920b");
    expect(run([b("\xc2\x9b2147483647S")])).toBe("\xc2\x9b24S"); // the C1 CSI, UTF-8 encoded
  });

  it("leaves everything else byte for byte: small counts, other finals, private and sub-parameter forms, cut sequences", () => {
    for (const s of ["\x1b[5S", "\x1b[S", "\x1b[;S", "\x1b[24S", "\x1b[38;2;255;0;0m", "\x1b[99999H", "\x1b[?2147483647S", "\x1b[>99999S",
      "\x1b[4:99999S", "\x1b[99999 S", "\x1b[99999\x1b[1S", "\x1b[99999\x18S", "\xc2\xa9\x1b]0;title\x07", "\x1b\x1b[3S", `\x1b[${"9".repeat(80)}S`]) {
      expect(run([b(s)]), JSON.stringify(s)).toBe(s);
    }
  });

  it("gives the same bytes whatever the chunking", () => {
    const token = fc.oneof(fc.constantFrom("\x1b[", "\xc2\x9b", "\xc2", "\x1b", "2147483647", "9", ";", "S", "b", "m", "?", "x", "\x18"), fc.string({ maxLength: 5 }));
    fc.assert(fc.property(fc.array(token, { maxLength: 30 }).map((t) => b(t.join(""))), fc.array(fc.nat(), { maxLength: 10 }), (bytes, cuts) => {
      expect(run(chunkAt(bytes, cuts))).toBe(run([bytes]));
      expect(run(Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)))).toBe(run([bytes]));
    }), { numRuns: 500 });
  });

  it("has exactly the effect of the uncapped sequence on the screen (except REP)", async () => {
    const { Terminal } = await loadXterm();
    const screen = async (data: string): Promise<string> => {
      const t = new Terminal({ cols: SIZE.cols, rows: SIZE.rows, scrollback: 0, allowProposedApi: true, logLevel: "off" });
      await new Promise<void>((r) => t.write(data, r));
      const lines: string[] = [];
      for (let y = 0; y < t.rows; y++) lines.push(t.buffer.active.getLine(y)!.translateToString());
      const out = `${lines.join("\n")}|${t.buffer.active.cursorX},${t.buffer.active.cursorY}`;
      t.dispose();
      return out;
    };
    const fill = Array.from({ length: 30 }, (_, i) => `line ${i} ${"abcdefghij".repeat(6)}`).join("\r\n");
    for (const f of ["S", "T", "L", "M", "@", "P", "X", "I", "Z"]) {
      const big = `${fill}\x1b[5;10H\x1b[5000${f}`; // 5000: far past the screen, still quick to run uncapped
      expect(await screen(run([b(big)])), f).toBe(await screen(big));
    }
  });
});
