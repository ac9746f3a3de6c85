import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CsiClamp } from "../../../lib/terminal/clamp-csi.js";
import { loadXterm } from "../../../lib/terminal/load-xterm.js";
import { chunkAt } from "../../fuzz/fuzz-config.js";
import { countsSeen } from "../../helpers/xterm-counts.js";

const SIZE = { cols: 80, rows: 24 };
const run = (chunks: Uint8Array[]): string => {
  const c = new CsiClamp(() => SIZE);
  return Buffer.concat(chunks.map((x) => Buffer.from(c.push(x)))).toString("latin1");
};

/** The screen's text and cursor after xterm ran `data` (a string as UTF-16, bytes through its UTF-8 decoder). */
async function screen(data: string | Uint8Array): Promise<string> {
  const { Terminal } = await loadXterm();
  const t = new Terminal({ cols: SIZE.cols, rows: SIZE.rows, scrollback: 0, allowProposedApi: true, logLevel: "off" });
  await new Promise<void>((r) => t.write(data, r));
  const lines: string[] = [];
  for (let y = 0; y < t.rows; y++) lines.push(t.buffer.active.getLine(y)!.translateToString());
  const out = `${lines.join("\n")}|${t.buffer.active.cursorX},${t.buffer.active.cursorY}`;
  t.dispose();
  return out;
}

/** 30 full lines, so that a scroll or an insertion has something to move. */
const fill = Array.from({ length: 30 }, (_, i) => `line ${i} ${"abcdefghij".repeat(6)}`).join("\r\n");
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
      "\x1b[4:99999S", "\x1b[99999 S", "\x1b[99999\x1b[1S", "\x1b[99999\x18S", "\xc2\xa9\x1b]0;title\x07", "\x1b\x1b[3S"]) {
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
    for (const f of ["S", "T", "L", "M", "@", "P", "X", "I", "Z"]) {
      const big = `${fill}\x1b[5;10H\x1b[5000${f}`; // 5000: far past the screen, still quick to run uncapped
      expect(await screen(run([b(big)])), f).toBe(await screen(big));
    }
  });
});

/**
 * Sequences that once slipped past the clamp, each of which kept xterm busy for minutes: too long
 * to be judged, a sub-parameter, or bytes xterm skips inside the sequence (a control it executes in
 * place, DEL, bytes that are not UTF-8, a BOM), an ESC and its [ parted by such bytes, a CSI cut by
 * a C1 CSI, and more parameters than xterm keeps.
 */
const BYPASSES: Record<string, string> = {
  "70 digits": `\x1b[${"9".repeat(70)}S`,
  "leading zeros": `\x1b[${"0".repeat(60)}2147483647S`,
  "a sub-parameter": "\x1b[2147483647:1S",
  "CR inside": "\x1b[2147\r483647S",
  "DEL inside": "\x1b[2147\x7f483647S",
  "a byte that is not UTF-8 inside": "\x1b[2147483647\xffS",
  "an unfinished UTF-8 character inside": "\x1b[2147483647\xe2\x82S",
  "a BOM inside": "\x1b[2147\xef\xbb\xbf483647S",
  "CR between ESC and [": "\x1b\r[2147483647M",
  "a stray byte between ESC and [": "\x1b\x80[2147483647L",
  "a C1 CSI inside a CSI": "\x1b[5\xc2\x9b2147483647T",
  "33 parameters": `\x1b[2147483647${";1".repeat(33)}S`,
  "33 sub-parameters after the count": `\x1b[2147483647${":1".repeat(33)}@`,
  "REP with zeros": `x\x1b[${"0".repeat(100)}99999999999b`,
};

describe("CsiClamp against sequences crafted to slip past it", () => {
  for (const [name, seq] of Object.entries(BYPASSES)) {
    it(`caps ${name}`, async () => {
      const raw = b(`hello\r\n${seq}world`);
      expect((await countsSeen(raw, SIZE)).some((c) => c.count > c.limit), "the uncapped sequence is a bomb").toBe(true);
      const capped = await countsSeen(b(run([raw])), SIZE);
      expect(capped.length).toBeGreaterThan(0);
      for (const c of capped) expect(c.count, c.final).toBeLessThanOrEqual(c.limit);
    }, 5_000);
  }

  it("caps what xterm would read as a huge count, however it is written", () => {
    expect(run([b(`\x1b[${"9".repeat(70)}S`)])).toBe("\x1b[24S");
    expect(run([b(`\x1b[${"9".repeat(80)}S`)])).toBe("\x1b[24S");
    expect(run([b(`\x1b[${"0".repeat(60)}2147483647S`)])).toBe("\x1b[24S");
    expect(run([b("\x1b[2147483647:1S")])).toBe("\x1b[24:1S");
    expect(run([b("\x1b[2147\r483647S")])).toBe("\x1b[\r24S"); // CR runs where it did: before the scroll
  });

  it("leaves small counts written with leading zeros at their value", () => {
    expect(run([b("\x1b[0000000001S")])).toBe("\x1b[1S");
    expect(run([b("\x1b[0000000000005;007T")])).toBe("\x1b[5;7T");
    expect(run([b("\x1b[000S")])).toBe("\x1b[0S");
  });

  it("holds a bounded amount, however long the sequence", () => {
    const c = new CsiClamp(() => SIZE);
    let out = Buffer.from(c.push(b("\x1b[")));
    for (const chunk of ["0", "9", ";", "1;", ":7"]) {
      for (let i = 0; i < 200; i++) out = Buffer.concat([out, c.push(b(chunk.repeat(1000)))]);
    }
    out = Buffer.concat([out, c.push(b("S"))]);
    expect(out.length).toBeLessThan(1024);
    expect(out.toString("latin1")).toBe(`\x1b[24${";".repeat(31)}S`); // xterm keeps 32 parameters and ignores the rest
  });

  it("has exactly the effect of the sequence as written, byte for byte through xterm's UTF-8 decoder", async () => {
    // Counts far past the screen yet quick to run uncapped, written every way the bypasses were.
    const cases = ["\x1b[0000000001S", `\x1b[${"0".repeat(70)}5000S`, "\x1b[5000:1S", "\x1b[3:5000S", "\x1b[50\r00L", "\x1b[50\x7f00M",
      "\x1b[50\xff00S", "\x1b[50\xe2\x8200S", "\x1b[50\xef\xbb\xbf00T", "\x1b\r[5000S", "\x1b\x80[5000P", "\x1b[5\xc2\x9b5000X",
      "\x1b[5000\xc2\xa9S", "\x1b[5000\xc2\x85S", "\x1b[5000\xc0\x80S", `\x1b[5000${";1".repeat(40)}@`, `\x1b[1${":1".repeat(40)};5000Z`,
      "\x1b[1;5000;99999999999H", "\x1b[38;5;0000000000012m\x1b[5000I"];
    for (const seq of cases) {
      const big = b(`${fill}\x1b[5;10H${seq}after`);
      expect(await screen(b(run([big]))), JSON.stringify(seq)).toBe(await screen(big));
    }
  });
});
