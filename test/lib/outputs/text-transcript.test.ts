import { describe, expect, it } from "vitest";
import { PassThrough } from "node:stream";
import { writeTextTranscript } from "../../../lib/outputs/text-transcript.js";
import { Sink } from "../../../lib/outputs/output-target.js";
import { openAsciicast } from "../../../lib/session/open-asciicast.js";
import { openCapture } from "../../../lib/session/open-capture.js";
import type { Session } from "../../../lib/session/model.js";
import { fixtureCases, fixtureKey } from "../../helpers/fixtures.js";
import { syntheticSession, terminalCast } from "../../helpers/sessions.js";

async function transcript(s: Session): Promise<string> {
  const out = new PassThrough();
  let text = "";
  out.on("data", (d) => { text += d; });
  await writeTextTranscript(s, new Sink(out));
  return text;
}

describe("text transcript", () => {
  it("applies the escape sequences instead of stripping them (real bash)", async () => {
    const t = await transcript(await openAsciicast(terminalCast("readline")));
    const lines = t.split("\n");
    expect(t).not.toContain("\x1b");
    expect(t).not.toContain("\b");
    expect(lines).toContain("ops@web-01:~$ echo hello world"); // the arrow-key edit, as shown
    expect(lines).toContain("ops@web-01:~$ ls -d /etc"); // "lsx" + Backspace resolved
    expect(lines).toContain("progress 99%"); // carriage-return progress bar: only its last state
    expect(t).not.toContain("progress 33%");
    expect(lines).toContain(`ops@web-01:~$ echo ${"0123456789".repeat(11)}`); // a wrapped line, joined
    // What `clear` erased is kept, in order, before what came after.
    expect(t.indexOf("ops@web-01:~$ clear")).toBeGreaterThan(0);
    expect(t.indexOf("ops@web-01:~$ clear")).toBeLessThan(t.indexOf("ops@web-01:~$ echo after clear"));
    expect(lines.filter((l) => l === "hello world")).toHaveLength(1);
  });

  it("keeps a full-screen program's last screen and what followed", async () => {
    const t = await transcript(await openAsciicast(terminalCast("fullscreen")));
    expect(t).toContain("hello from vim");
    expect(t).toContain('"notes.txt" 3L, 33B written'); // vim's last screen
    expect(t.indexOf("ops@web-01:~$ vim -u NONE -N notes.txt")).toBeLessThan(t.indexOf('"notes.txt" 3L, 33B written'));
    expect(t.indexOf("ops@web-01:~$ vim -u NONE -N notes.txt")).toBeLessThan(t.indexOf("ops@web-01:~$ cat notes.txt"));
    expect(t.split("\n")).toEqual(expect.arrayContaining(["line one", "hello from vim", "line two"]));
  });

  it("keeps every line that scrolled by (scrollback), however many", async () => {
    const n = 12_000;
    let out = "";
    for (let i = 0; i < n; i++) out += `line ${i}\r\n`;
    const t = await transcript(syntheticSession([[0, "o", out], [1, "o", "$ "]]));
    const lines = t.trimEnd().split("\n");
    expect(lines).toHaveLength(n + 1);
    expect(lines[0]).toBe("line 0");
    expect(lines[n - 1]).toBe(`line ${n - 1}`);
  });

  for (const c of fixtureCases()) {
    it(`${c.name}: renders`, async () => {
      const t = await transcript(await openCapture(c.log, { privateKey: fixtureKey() }));
      if (c.name === "exec-empty-server") { expect(t).toBe(""); return; }
      expect(t.length).toBeGreaterThan(0);
      if (c.pty) {
        expect(t).toContain("ops@web-01:~$ ");
        expect(t).not.toMatch(/\x1b\[/);
      }
    });
  }
});
