import { describe, expect, it } from "vitest";
import { formatDelay, formatScriptTime, sessionEndLine, sessionStartLine, TimingWriter } from "../../../lib/outputs/script-format.js";

describe("formatDelay (binary32, as ssh-log-cli computes it)", () => {
  it("matches FORMAT.md's examples where binary64 would differ", () => {
    expect(formatDelay(123_456_789)).toBe("123.456795");
    expect(formatDelay(30_000_001)).toBe("30.000000");
  });
  it("prints small gaps with six decimals", () => {
    expect(formatDelay(0)).toBe("0.000000");
    expect(formatDelay(1)).toBe("0.000001");
    expect(formatDelay(71_181)).toBe("0.071181");
    expect(formatDelay(1_000_000)).toBe("1.000000");
  });
  it("rounds a binary32 value that lies exactly halfway to even, as Rust's formatter does", () => {
    // 30007812 us becomes exactly 30.0078125 in binary32: a tie at the seventh decimal.
    expect(Math.fround(Math.fround(30_007_812) / Math.fround(1e6))).toBe(30.0078125);
    expect(formatDelay(30_007_812)).toBe("30.007812");
    // 30.0234375 = 3843/128: the digit before the tie is odd, so it rounds up.
    expect(Math.fround(Math.fround(30_023_438) / Math.fround(1e6))).toBe(30.0234375);
    expect(formatDelay(30_023_438)).toBe("30.023438");
  });
  it("timing lines measure from the previous output packet, the first from zero", () => {
    const t = new TimingWriter();
    expect(t.line(71_181, 83)).toBe("0.071181 83\n");
    expect(t.line(72_255, 40)).toBe("0.001074 40\n");
    expect(t.line(72_255, 1)).toBe("0.000000 1\n");
  });
});

describe("typescript lines", () => {
  const pty = { term: "xterm-256color", width: 120, height: 40, modes: [] };
  it("start line uses UTC and the PTY", () => {
    expect(formatScriptTime(1_773_273_918)).toBe("2026-03-12 00:05:18+00");
    expect(sessionStartLine(1_773_273_918, pty)).toBe('Session started on 2026-03-12 00:05:18+00 [TERM="xterm-256color" COLUMNS="120" LINES="40"]\n');
    expect(sessionStartLine(0, { ...pty, term: null })).toContain('TERM="unknown"');
  });
  it("end line by exit record: none, error, core dump, status (null as 0)", () => {
    const base = { timestamp: 1_773_274_818, status: 3, signal: null, coreDumped: false, errorMessage: null };
    expect(sessionEndLine(null)).toBe("\nSession has no termination data\n");
    expect(sessionEndLine({ ...base, errorMessage: "boom", coreDumped: true })).toBe('\nScript done on 2026-03-12 00:20:18+00 [ERROR="boom"]\n');
    expect(sessionEndLine({ ...base, coreDumped: true })).toBe("\nScript done on 2026-03-12 00:20:18+00 [CORE DUMPED]\n");
    expect(sessionEndLine(base)).toBe('\nScript done on 2026-03-12 00:20:18+00 [COMMAND_EXIT_CODE="3"]\n');
    expect(sessionEndLine({ ...base, status: null, signal: "KILL" })).toContain('COMMAND_EXIT_CODE="0"');
  });
});
