import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SESSIONS_DIR, tempDirWithKey } from "../helpers/fixtures.js";
import { runBin, runCli } from "../helpers/run-cli.js";

const t = tempDirWithKey();
afterAll(() => t.cleanup());
const log = join(SESSIONS_DIR, "pty-exit0.log");

/** One line on stderr, in the project's form: "ssh-log: ONE SENTENCE. [ERR_USAGE]". */
function expectOneUsageLine(r: { code: number; stdout: string; stderr: string }): string {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe("");
  const lines = r.stderr.trimEnd().split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^ssh-log: [^\n]+\. \[ERR_USAGE\]$/);
  expect(lines[0]).not.toMatch(/error: /);
  return lines[0]!;
}

describe("commander's parse errors, in the project's one-line form", () => {
  it("an unknown option names the command and its --help, without a far-fetched suggestion (real bin)", async () => {
    const r = await runBin(["export", "-i", t.key, "-l", log, "-f", "text", "--bogus"]);
    expect(expectOneUsageLine(r)).toBe("ssh-log: export has no option --bogus; see ssh-log export --help. [ERR_USAGE]");
  });

  it("an option one typo away is suggested", async () => {
    const line = expectOneUsageLine(await runCli(["export", "-i", t.key, "-l", log, "-f", "text", "--fromat", "text"]));
    expect(line).toContain("(did you mean --format?)");
  });

  it("a missing required argument", async () => {
    const line = expectOneUsageLine(await runCli(["inspect"]));
    expect(line).toContain("inspect needs its <log> argument; see ssh-log inspect --help.");
  });

  it("a missing required option, with its choices", async () => {
    const line = expectOneUsageLine(await runCli(["export", "-i", t.key, "-l", log]));
    expect(line).toContain("export needs -f/--format (one of cast, text, commands, typescript)");
  });

  it("an invalid choice, with a suggestion only when close", async () => {
    const far = expectOneUsageLine(await runCli(["export", "-i", t.key, "-l", log, "-f", "mp4"]));
    expect(far).toContain("export -f/--format cannot be mp4; use one of cast, text, commands, typescript.");
    const near = expectOneUsageLine(await runCli(["export", "-i", t.key, "-l", log, "-f", "cats"]));
    expect(near).toContain("(did you mean cast?)");
  });

  it("too many arguments", async () => {
    const line = expectOneUsageLine(await runCli(["replay", "a", "b"]));
    expect(line).toContain("replay takes 1 argument ([input]) but was given 2 (a b); see ssh-log replay --help.");
  });

  it("an option missing its value", async () => {
    const line = expectOneUsageLine(await runCli(["keygen", "-o"]));
    expect(line).toContain("keygen -o/--output needs a value; see ssh-log keygen --help.");
  });

  it("an unknown command, and an unknown top-level option", async () => {
    expect(expectOneUsageLine(await runCli(["frobnicate"]))).toContain("frobnicate is not an ssh-log command; see ssh-log --help.");
    expect(expectOneUsageLine(await runCli(["replya"]))).toContain("(did you mean replay?)");
    expect(expectOneUsageLine(await runCli(["--bogus"]))).toContain("--bogus is not an ssh-log option; see ssh-log --help.");
  });

  it("proxy --flush-interval beyond what a timer holds (1e12 ms) is refused at start, not at each session", async () => {
    const r = await runCli(["proxy", "--upstream", "127.0.0.1:1", "--host-key", "h", "--authorized-keys", "a", "--upstream-key", "u", "--public-key", "p", "--flush-interval", "1e12"]);
    expect(expectOneUsageLine(r)).toMatch(/--flush-interval 1e12 /);
  });

  it("--help and --version still exit 0", async () => {
    const help = await runCli(["inspect", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: ssh-log inspect");
    expect((await runCli(["--version"])).code).toBe(0);
  });
});
