import { afterAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { runCli } from "../helpers/run-cli.js";
import { fixtureCases, tempDirWithKey } from "../helpers/fixtures.js";
import { LOGPUSH_DIR, terminalCast } from "../helpers/sessions.js";

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

  it("refuses bad flags with the usage exit code", async () => {
    for (const argv of [["replay"], ["replay", terminalCast("sudo"), "--speed", "0"], ["replay", terminalCast("sudo"), "--from", "soon"], ["replay", terminalCast("sudo"), "--idle-limit", "-1"], ["replay", "--session", "x"]]) {
      const r = await runCli(argv);
      expect(r.code, argv.join(" ")).toBe(2);
    }
    expect((await runCli(["replay", join(tmp.dir, "missing.cast")])).code).toBe(6);
  });
});
