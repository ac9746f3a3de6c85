import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { logpushPath } from "../../cli/commands/logpush-path.js";
import { UsageError } from "../../lib/errors.js";
import { runCli } from "../helpers/run-cli.js";
import { LOGPUSH_DIR, terminalCast } from "../helpers/sessions.js";

const NOT_BOTH = (files: string) => `Give either --logpush PATH or ${files}, not both.`;
const SESSION_PICKS = "--session picks a session inside a Logpush export; give the export with --logpush PATH.";
const NO_SESSION = "No session given; pass it with -l LOG (and -i KEY for an encrypted capture).";

describe("logpushPath: with --session, the one path given is a Logpush export", () => {
  it("picks --logpush, or the one path given with --session, else none", () => {
    expect(logpushPath({ logpush: "exp/" }, [], "x")).toBe("exp/");
    expect(logpushPath({ logpush: "exp/", session: "s" }, [], "x")).toBe("exp/");
    expect(logpushPath({ session: "s" }, ["e.log.gz"], "x")).toBe("e.log.gz");
    expect(logpushPath({}, ["a.log"], "x")).toBeUndefined();
    expect(logpushPath({}, [], "x")).toBeUndefined();
  });

  it("refuses --logpush with session files, and --session with none or many", () => {
    expect(() => logpushPath({ logpush: "exp/" }, ["a.log"], "session files")).toThrow(new UsageError(NOT_BOTH("session files")));
    expect(() => logpushPath({ session: "s" }, ["a", "b"], "x")).toThrow(new UsageError(SESSION_PICKS));
    expect(() => logpushPath({ session: "s" }, [], "x")).toThrow(new UsageError(SESSION_PICKS));
  });
});

describe("export and replay: the same rule, each command's messages", () => {
  const gz = join(LOGPUSH_DIR, "ssh_logs/20261001/20261001T000000Z_20261001T055959Z_681abb4b.log.gz");
  const cast = terminalCast("sudo");
  const cases: Array<[string[], string]> = [
    [["export", "-f", "text", "--logpush", gz, cast], NOT_BOTH("session files")],
    [["export", "-f", "text", "--session", "x", cast, cast], SESSION_PICKS],
    [["export", "-f", "text", "--session", "x"], SESSION_PICKS],
    [["export", "-f", "text"], NO_SESSION],
    [["replay", "--logpush", gz, cast], NOT_BOTH("a session file")],
    [["replay", "--logpush", gz, "-l", cast], NOT_BOTH("a session file")],
    [["replay", "--session", "x", "-l", cast, cast], SESSION_PICKS],
    [["replay", "--session", "x"], NO_SESSION],
    [["replay"], NO_SESSION],
  ];
  for (const [argv, message] of cases) {
    it(argv.map((a) => (a.includes("/") ? a.slice(a.lastIndexOf("/") + 1) : a)).join(" "), async () => {
      const r = await runCli(argv);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
    });
  }

  it("replay gz --session ID reads the Logpush export, as --logpush does", async () => {
    const direct = await runCli(["replay", gz, "--session", "5fbec211-0"]);
    const named = await runCli(["replay", "--logpush", gz, "--session", "5fbec211-0"]);
    expect(direct.code).toBe(0);
    expect(direct.stdout).toContain("rm -rf /var/tmp/cache");
    expect(direct.stdout).toBe(named.stdout);
  });
});
