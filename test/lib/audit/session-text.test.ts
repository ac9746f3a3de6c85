import { describe, expect, it } from "vitest";
import { CommandCollector, stripTerminal, TranscriptBuilder } from "../../../lib/audit/internal/session-text.js";

const b = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("session text", () => {
  it("strips CSI, OSC and two-byte escapes", () => {
    expect(stripTerminal("\x1b[1;31mred\x1b[0m \x1b]0;title\x07ok \x1b(Bdone")).toBe("red ok done");
  });

  it("splits output into lines timed by their newline, with overwrites and backspaces applied", () => {
    const t = new TranscriptBuilder();
    t.push(0.5, b("$ ls\r\nfile-a  "));
    t.push(1.25, b("file-b\r\n\r\nprogress 10%\rprogress 100%\r\nab\bc\n"));
    t.push(2, b("\x1b[32mtail without newline"));
    expect(t.end(3)).toEqual([
      { lineNo: 0, offsetS: 0.5, text: "$ ls" },
      { lineNo: 1, offsetS: 1.25, text: "file-a  file-b" },
      { lineNo: 3, offsetS: 1.25, text: "progress 100%" },
      { lineNo: 4, offsetS: 1.25, text: "ac" },
      { lineNo: 5, offsetS: 3, text: "tail without newline" },
    ]);
  });

  it("keeps an escape sequence split across packets out of the text", () => {
    const t = new TranscriptBuilder();
    t.push(0, b("a\x1b["));
    t.push(1, b("31mb\n"));
    expect(t.end(1).map((l) => l.text)).toEqual(["ab"]);
  });

  it("rebuilds typed commands with Backspace, Ctrl-U, Ctrl-W and Ctrl-C, and times them at Enter", () => {
    const c = new CommandCollector();
    c.push(1, b("ls -la /tnp\x7f\x7fmp\r"));
    c.push(2, b("rm -rf /\x03"));
    c.push(3, b("wrong\x15echo one two\x17three\r"));
    c.push(4, b("\x1b[A\r"));
    c.push(5, b("not ended"));
    expect(c.end()).toEqual([
      { offsetS: 1, command: "ls -la /tmp" },
      { offsetS: 3, command: "echo one three" },
    ]);
  });
});
