import { afterAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { runCli } from "../helpers/run-cli.js";
import { fixtureCases, tempDirWithKey } from "../helpers/fixtures.js";
import { LOGPUSH_DIR, terminalCast } from "../helpers/sessions.js";
import { Emulator } from "../../lib/terminal/emulator.js";

const tmp = tempDirWithKey();
afterAll(() => tmp.cleanup());

describe("ssh-log replay without a terminal", () => {
  for (const c of fixtureCases().filter((x) => x.pty)) {
    it(`${c.name}: a pipe gets the recorded output, at full speed, byte for byte`, async () => {
      const r = await runCli(["replay", "-i", tmp.key, "-l", c.log]);
      const data = c.expected.get("term_data.txt")!.toString("latin1");
      // term_data.txt is the output between its first line and its last.
      const body = data.slice(data.indexOf("\n") + 1, data.lastIndexOf("\n", data.length - 2));
      expect(r.stdout).toBe(Buffer.from(body, "latin1").toString("utf8"));
      expect(r.code).toBe(0);
    });
  }

  it("reads .cast files and Logpush sessions; never needs scriptreplay", async () => {
    const r = await runCli(["replay", terminalCast("fullscreen")], { env: { PATH: "/nonexistent" } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("hello from vim");
    const l = await runCli(["replay", "--logpush", join(LOGPUSH_DIR, "ssh_logs/20261001"), "--session", "5fbec211-0"]);
    expect(l.stdout).toContain("rm -rf /var/tmp/cache");
  });

  it("with --from, a pipe gets the screen at that moment, then the output that followed", async () => {
    const cast = terminalCast("fullscreen");
    const whole = await runCli(["replay", cast]);
    const from = await runCli(["replay", cast, "--from", "3.2"]);
    expect(from.code).toBe(0);
    // What was sent before 3.2 s is not written as sent: vim's opening message, gone from the
    // screen by then, and its queries to the terminal ...
    expect(whole.stdout).toContain('"notes.txt" 2L, 18B');
    expect(from.stdout).not.toContain("2L, 18B");
    expect(from.stdout).not.toContain("\u001b[6n");
    expect(from.stdout.length).toBeLessThan(whole.stdout.length);
    // ... but the screen it left is drawn first: vim, with the text typed at 3.1 s, before ":wq".
    expect(from.stdout.indexOf("hello from vim")).toBeGreaterThanOrEqual(0);
    expect(from.stdout.indexOf("hello from vim")).toBeLessThan(from.stdout.indexOf(":wq"));
    // A terminal the recording's size ends on the same screen either way.
    const screenAfter = async (text: string): Promise<string[]> => {
      const emu = await Emulator.create({ cols: 100, rows: 30, scrollback: 0 });
      emu.feed(text);
      await emu.settle();
      const lines = emu.screenLines();
      emu.dispose();
      return lines;
    };
    expect(await screenAfter(from.stdout)).toEqual(await screenAfter(whole.stdout));
    const past = await runCli(["replay", cast, "--from", "9:00"]);
    expect(past.code).toBe(2);
    expect(past.stderr).toMatch(/--from 9:00 is past the end of .*fullscreen\.cast, which lasts/);
  });

  it("refuses bad flags with the usage exit code", async () => {
    for (const argv of [["replay"], ["replay", terminalCast("sudo"), "--speed", "0"], ["replay", terminalCast("sudo"), "--from", "soon"], ["replay", terminalCast("sudo"), "--idle-limit", "-1"], ["replay", "--session", "x"]]) {
      const r = await runCli(argv);
      expect(r.code, argv.join(" ")).toBe(2);
    }
    expect((await runCli(["replay", join(tmp.dir, "missing.cast")])).code).toBe(6);
  });
});
