import { afterAll, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { openAsciicast, openAsciicastText, parseAsciicastHeader } from "../../../lib/session/open-asciicast.js";
import type { SessionEvent } from "../../../lib/session/model.js";
import { tempDir } from "../../helpers/fixtures.js";
import { terminalCast } from "../../helpers/sessions.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

async function all(text: string, mode?: "strict") {
  const s = await openAsciicastText(text, "t.cast", { mode });
  const evs: SessionEvent[] = [];
  for await (const e of s.events()) evs.push(e);
  return { s, evs };
}

describe("openAsciicast", () => {
  it("reads a recorded fixture: header, output and input", async () => {
    const s = await openAsciicast(terminalCast("readline"));
    expect(s.info).toMatchObject({ kind: "asciicast", startedAt: 1773273918, pty: { term: "xterm-256color", width: 100, height: 30 }, command: null });
    let out = 0;
    let inp = 0;
    for await (const e of s.events()) (e.source === 1 ? out++ : inp++);
    expect(out).toBeGreaterThan(20);
    expect(inp).toBeGreaterThan(20);
    expect(s.outcome.complete).toBe(true);
  });

  it("maps o to server output, i to client input, skips markers, warns about resizes", async () => {
    const { s, evs } = await all('{"version": 2, "width": 80, "height": 24, "command": "ls"}\n[0.5, "o", "héllo"]\n[0.75, "i", "q"]\n[0.8, "m", "mark"]\n[0.9, "r", "100x30"]\n[1.0, "o", "!"]\n');
    expect(evs.map((e) => [e.source, e.elapsedMicros, Buffer.from(e.data).toString()])).toEqual([[1, 500000, "héllo"], [0, 750000, "q"], [1, 1000000, "!"]]);
    expect(s.info.command).toBe("ls");
    expect(s.outcome.warnings.map((w) => w.code)).toEqual(["ERR_BAD_INPUT"]);
  });

  it("reads v3 (relative times, term object, exit event)", async () => {
    const { s, evs } = await all('{"version": 3, "term": {"cols": 90, "rows": 20, "type": "xterm"}, "timestamp": 1700000000}\n[0.5, "o", "a"]\n[0.25, "o", "b"]\n[0.1, "x", "2"]\n');
    expect(evs.map((e) => e.elapsedMicros)).toEqual([500000, 750000]);
    expect(s.info.pty).toMatchObject({ width: 90, height: 20, term: "xterm" });
    expect(s.info.exit?.status).toBe(2);
  });

  it("never lets time run backwards", async () => {
    const { evs } = await all('{"version": 2, "width": 80, "height": 24}\n[2, "o", "a"]\n[1, "o", "b"]\n');
    expect(evs.map((e) => e.elapsedMicros)).toEqual([2000000, 2000000]);
  });

  it("stops at a bad event line, keeping what came before (lenient) or throwing (strict)", async () => {
    const text = '{"version": 2, "width": 80, "height": 24}\n[0.1, "o", "a"]\nnot json\n[0.3, "o", "c"]\n';
    const { s, evs } = await all(text);
    expect(evs).toHaveLength(1);
    expect(s.outcome.error?.code).toBe("ERR_BAD_INPUT");
    await expect(all(text, "strict")).rejects.toMatchObject({ code: "ERR_BAD_INPUT" });
  });

  it("refuses what is not an asciicast v2 recording", async () => {
    expect(() => parseAsciicastHeader("[1, 2]", "x.cast")).toThrow(expect.objectContaining({ code: "ERR_BAD_INPUT" }));
    expect(() => parseAsciicastHeader('{"version": 1, "stdout": []}', "x.cast")).toThrow(expect.objectContaining({ code: "ERR_BAD_INPUT" }));
    expect(() => parseAsciicastHeader('{"version": 2, "width": 0, "height": 24}', "x.cast")).toThrow(expect.objectContaining({ code: "ERR_BAD_INPUT" }));
    const empty = join(tmp.dir, "empty.cast");
    writeFileSync(empty, "\n\n");
    await expect(openAsciicast(empty)).rejects.toMatchObject({ code: "ERR_BAD_INPUT" });
    await expect(openAsciicast(join(tmp.dir, "missing.cast"))).rejects.toMatchObject({ code: "ERR_NOT_FOUND" });
  });
});
