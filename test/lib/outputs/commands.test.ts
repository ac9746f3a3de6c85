import { describe, expect, it } from "vitest";
import { extractCommands, type CommandRecord } from "../../../lib/outputs/commands.js";
import { openAsciicast } from "../../../lib/session/open-asciicast.js";
import { openCapture } from "../../../lib/session/open-capture.js";
import type { Session } from "../../../lib/session/model.js";
import { fixtureCases, fixtureKey } from "../../helpers/fixtures.js";
import { syntheticSession, terminalCast } from "../../helpers/sessions.js";

async function commands(s: Session): Promise<CommandRecord[]> {
  const out: CommandRecord[] = [];
  for await (const c of extractCommands(s)) out.push(c);
  return out;
}

const PROMPT = "\x1b[01;32mops@web-01\x1b[00m:\x1b[01;34m~\x1b[00m$ ";

describe("extractCommands on real bash (fixtures/terminal, typed through tmux)", () => {
  it("resolves backspaces, arrow-key edits, tab completion, history and Ctrl-A, and skips a Ctrl-C'd line", async () => {
    const cs = await commands(await openAsciicast(terminalCast("readline")));
    expect(cs.map((c) => c.command)).toEqual([
      "echo hello world", // typed "echo helo world", 7 x Left, "l"
      "ls -d /etc", // "lsx", Backspace, " -d /etc"
      "cat /etc/hostname", // "cat /etc/hostn" + Tab
      "ls /etc/hosts", // "ls /etc/host" + Tab Tab (candidates listed, line redrawn) + "s"
      "ls -d /etc", // Up Up Up: history
      "echo edited at the start", // "cho edited at the start", Ctrl-A, "e"
      `echo ${"0123456789".repeat(11)}`, // longer than the 100-column screen: wrapped
      "for i in 1 2 3; do printf '\\rprogress %d%%' $((i*33)); sleep 0.2; done; echo",
      "clear",
      "echo after clear",
      "exit",
    ]);
    expect(cs.every((c) => !c.masked)).toBe(true);
    const first = cs[0]!;
    expect(first.outputFirstLines).toEqual(["hello world"]);
    expect(first.startedAtIso).toBe(new Date(1773273918_000 + Math.round(first.offsetSeconds * 1000)).toISOString());
    expect(cs[3]!.outputFirstLines).toEqual(["/etc/hosts"]);
    expect(cs[7]!.outputFirstLines).toEqual(["progress 99%"]); // carriage returns applied
    expect(cs[8]!.outputBytes).toBe(0); // clear's escape sequences come before the next prompt on one line
    expect(cs[0]!.exit).toBeUndefined();
  });

  it("reads a full-screen editor's command and leaves its screen out of the output lines", async () => {
    const cs = await commands(await openAsciicast(terminalCast("fullscreen")));
    expect(cs.map((c) => c.command)).toEqual(["printf 'line one\\nline two\\n' > notes.txt", "vim -u NONE -N notes.txt", "cat notes.txt", "exit"]);
    expect(cs[1]!.outputBytes).toBeGreaterThan(1000);
    expect(cs[1]!.outputFirstLines).toEqual([]);
    expect(cs[2]!.outputFirstLines).toEqual(["line one", "hello from vim", "line two"]);
  });

  it("never lists what was typed at a password prompt or with echo off", async () => {
    const cs = await commands(await openAsciicast(terminalCast("sudo")));
    expect(cs.map((c) => c.command)).toEqual(["sudo systemctl restart nginx", "read -r -s TOKEN", "echo done", "exit"]);
    expect(cs[0]!.outputFirstLines).toEqual(["[sudo] password for ops:", "Sorry, try again.", "[sudo] password for ops:", "ran: systemctl restart nginx"]);
    const all = JSON.stringify(cs);
    for (const secret of ["hunter2", "wrongpass", "tok-5ecret-value"]) expect(all).not.toContain(secret);
  });
});

describe("extractCommands on the capture fixtures", () => {
  for (const c of fixtureCases()) {
    it(`${c.name}: ${c.pty ? "commands typed at the prompt" : "the exec session's one command with its exit"}`, async () => {
      const s = await openCapture(c.log, { privateKey: fixtureKey() });
      const cs = await commands(s);
      if (!c.pty) {
        expect(cs).toHaveLength(1);
        expect(cs[0]!.command).toBeNull(); // captures do not record an exec command
        expect(cs[0]!.exit).toEqual(s.info.exit ? { status: s.info.exit.status, signal: s.info.exit.signal, coreDumped: s.info.exit.coreDumped, errorMessage: s.info.exit.errorMessage } : undefined);
        expect(cs[0]!.outputBytes).toBe(c.expected.get("data_from_server.txt")!.length);
        return;
      }
      expect(cs.length).toBeGreaterThan(3);
      const text = c.expected.get("term_data.txt")!.toString("utf8");
      for (const cmd of cs) {
        expect(cmd.command).not.toBe("");
        // Every command appears on the recorded screen after a prompt.
        expect(text).toContain(`$ ${cmd.command!.split(" ")[0]}`);
        expect(cmd.offsetSeconds).toBeGreaterThan(0);
      }
      const times = cs.map((x) => x.offsetSeconds);
      expect([...times].sort((a, b) => a - b)).toEqual(times);
    });
  }
});

describe("extractCommands on synthetic sessions", () => {
  it("a pasted line (text and Enter in one event) is read once the server has echoed it", async () => {
    const s = syntheticSession([[0.1, "o", PROMPT], [1, "i", "uptime\r"], [1.01, "o", "uptime\r\n 10:00 up 1 day\r\n" + PROMPT], [2, "i", "exit\r"], [2.01, "o", "exit\r\n"]]);
    const cs = await commands(s);
    expect(cs.map((c) => c.command)).toEqual(["uptime", "exit"]);
    expect(cs[0]!.outputFirstLines).toEqual([" 10:00 up 1 day"]);
    expect(cs[0]!.outputBytes).toBe(" 10:00 up 1 day\r\n".length);
  });

  it("several lines pasted at once each become a command", async () => {
    const s = syntheticSession([[0.1, "o", "$ "], [1, "i", "ls\rpwd\r"], [1.01, "o", "ls\r\na b\r\n$ pwd\r\n/root\r\n$ "]]);
    expect((await commands(s)).map((c) => c.command)).toEqual(["ls", "pwd"]);
  });

  it("masks a line typed after a password prompt even when the server echoes stars", async () => {
    const s = syntheticSession([[0.1, "o", "$ "], [1, "i", "mysql -p"], [1.01, "o", "mysql -p"], [1.2, "i", "\r"], [1.21, "o", "\r\nEnter password: "],
      [2, "i", "s3cret"], [2.01, "o", "******"], [2.2, "i", "\r"], [2.21, "o", "\r\nmysql> "], [3, "i", "select 1;"], [3.01, "o", "select 1;"], [3.2, "i", "\r"], [3.21, "o", "\r\n1\r\nmysql> "]]);
    const cs = await commands(s);
    expect(cs.map((c) => c.command)).toEqual(["mysql -p", "select 1;"]);
    expect(JSON.stringify(cs)).not.toContain("s3cret");
  });

  it("an exec session yields its recorded command and exit", async () => {
    const s = syntheticSession([[0, "o", "ok\nline 2\n"]], { pty: null, command: "sudo systemctl restart nginx", exit: { timestamp: 1773273920, status: 3, signal: null, coreDumped: false, errorMessage: null } });
    const cs = await commands(s);
    expect(cs).toEqual([{ startedAtIso: "2026-03-12T00:05:18.000Z", offsetSeconds: 0, command: "sudo systemctl restart nginx", masked: false, outputBytes: 10, outputFirstLines: ["ok", "line 2"], exit: { status: 3, signal: null, coreDumped: false, errorMessage: null } }]);
  });
});
