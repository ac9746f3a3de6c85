import { afterAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeAsciicast } from "../../../lib/outputs/asciicast.js";
import { writeTo } from "../../../lib/outputs/output-target.js";
import { openAsciicast } from "../../../lib/session/open-asciicast.js";
import { openCapture } from "../../../lib/session/open-capture.js";
import { openLogpushPayload } from "../../../lib/session/open-logpush-payload.js";
import { Source, type Session } from "../../../lib/session/model.js";
import { fixtureCases, fixtureKey, tempDir } from "../../helpers/fixtures.js";
import { LOGPUSH_DIR, terminalCast } from "../../helpers/sessions.js";
import { requireTool, runInPty } from "../../helpers/system-tools.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

interface Case { name: string; open: () => Promise<Session>; shows: string }
const cases: Case[] = [
  ...fixtureCases().map((c) => ({ name: c.name, open: () => openCapture(c.log, { privateKey: fixtureKey() }), shows: c.pty ? "ops@web-01" : "" })),
  { name: "readline", open: () => openAsciicast(terminalCast("readline")), shows: "hello world" },
  { name: "fullscreen", open: () => openAsciicast(terminalCast("fullscreen")), shows: "hello from vim" },
  { name: "sudo", open: () => openAsciicast(terminalCast("sudo")), shows: "ran: systemctl restart nginx" },
  { name: "logpush", open: () => openLogpushPayload(join(LOGPUSH_DIR, "ssh_logs/20261001"), "5fbec211-0"), shows: "rm -rf /var/tmp/cache" },
];

async function exportCast(c: Case): Promise<{ path: string; lines: unknown[][]; header: Record<string, unknown>; session: Session }> {
  const session = await c.open();
  const path = join(tmp.dir, `${c.name}.cast`);
  await writeTo(path, process.stdout, (sink) => writeAsciicast(session, sink));
  const [head, ...rest] = readFileSync(path, "utf8").trimEnd().split("\n");
  return { path, header: JSON.parse(head!), lines: rest.map((l) => JSON.parse(l)), session };
}

describe("asciicast export", () => {
  it("the real asciinema is installed", () => requireTool("asciinema"));

  for (const c of cases) {
    it(`${c.name}: a valid asciicast v2 that the real asciinema plays`, async () => {
      const { path, header, lines, session } = await exportCast(c);
      expect(header.version).toBe(2);
      expect(header.width).toBe(session.info.pty?.width ?? 80);
      expect(header.height).toBe(session.info.pty?.height ?? 24);
      expect(header.timestamp).toBe(Math.floor(session.info.startedAt));
      expect(typeof header.title).toBe("string");
      if (session.info.pty?.term) expect(header.env).toMatchObject({ TERM: session.info.pty.term });
      let last = 0;
      for (const ev of lines) {
        expect(ev).toHaveLength(3);
        expect(["o", "i", "m"]).toContain(ev[1]);
        expect(typeof ev[2]).toBe("string");
        expect(ev[0] as number).toBeGreaterThanOrEqual(last);
        last = ev[0] as number;
      }
      // Output events carry the server's bytes (PTY sessions: exactly, as UTF-8).
      if (session.info.pty && c.name !== "logpush") {
        const original = await openAgain(c);
        expect(lines.filter((l) => l[1] === "o").map((l) => l[2]).join("")).toBe(original);
      }
      const cat = runInPty(`asciinema cat ${path}`);
      expect(cat.status).toBe(0);
      expect(cat.output).toContain(c.shows);
      const play = runInPty(`asciinema play -i 0.01 -s 100 ${path}`);
      expect(play.status).toBe(0);
      expect(play.output).toContain(c.shows);
    });
  }

  it("puts a marker, named after the command, where each command was submitted", async () => {
    const { lines } = await exportCast(cases.find((c) => c.name === "readline")!);
    const markers = lines.filter((l) => l[1] === "m");
    expect(markers.map((m) => m[2])).toContain("ls /etc/hosts");
    expect(markers).toHaveLength(11);
    const i = lines.findIndex((l) => l[1] === "m" && l[2] === "echo hello world");
    expect(lines[i - 1]).toEqual([lines[i]![0], "i", "\r"]); // right after the Enter
  });

  it("replaces what was typed at a password prompt and with echo off by stars", async () => {
    const { path, lines } = await exportCast(cases.find((c) => c.name === "sudo")!);
    const text = readFileSync(path, "utf8");
    for (const secret of ["hunter2", "wrongpass", "tok-5ecret-value"]) expect(text).not.toContain(secret);
    const typed = lines.filter((l) => l[1] === "i").map((l) => l[2]);
    expect(typed).toContain("*******");
    expect(typed).toContain("*********");
    expect(typed).toContain("****************");
    expect(typed).toContain("sudo systemctl restart nginx");
  });

  it("reads back as the same session (round trip through openAsciicast)", async () => {
    const c = cases.find((x) => x.name === "fullscreen")!;
    const { path } = await exportCast(c);
    const back = await openAsciicast(path);
    const bytes: Buffer[] = [];
    for await (const ev of back.events()) if (ev.source === Source.Server) bytes.push(Buffer.from(ev.data));
    expect(Buffer.concat(bytes).toString("utf8")).toBe(await openAgain(c));
    expect(back.info.pty).toMatchObject({ width: 100, height: 30, term: "xterm-256color" });
  });
});

async function openAgain(c: Case): Promise<string> {
  const s = await c.open();
  const parts: Buffer[] = [];
  for await (const ev of s.events()) if (ev.source === Source.Server) parts.push(Buffer.from(ev.data));
  return Buffer.concat(parts).toString("utf8");
}
