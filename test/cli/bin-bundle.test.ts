import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { SshLogError, WrongKeyError } from "../../lib/errors.js";
import { runBin, runBinIntoClosedPipe } from "../helpers/run-cli.js";
import { SESSIONS_DIR, tempDir } from "../helpers/fixtures.js";
import { writeCast } from "../helpers/sessions.js";

/**
 * bin/ssh-log.js runs the CLI from its CommonJS bundle (dist/cli/bundle/, see rolldown.config.mjs),
 * while `ssh-log view` loads the terminal UI from dist/ with its own copy of the lib modules. These
 * check what that layout could break: errors crossing between the copies, and files found next to
 * the modules that read them.
 */
describe("the CLI bundle that bin/ssh-log.js runs", () => {
  it("is built, and is what bin/ssh-log.js loads", () => {
    expect(existsSync(fileURLToPath(new URL("../../dist/cli/bundle/ssh-log.cjs", import.meta.url)))).toBe(true);
  });

  it("view without a terminal: the UI's own error reaches the CLI with its code (ERR_NO_TTY, exit 2), not as an internal error", async () => {
    const r = await runBin(["view", SESSIONS_DIR]);
    expect(r.stderr).not.toContain("ERR_INTERNAL");
    expect(r.stderr).toContain("[ERR_NO_TTY]");
    expect(r.code).toBe(2);
  });

  it("report finds its .sql files, in --help and in the list", async () => {
    const help = await runBin(["report", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/after-hours\s+SOC 2/);
    expect(help.stdout).not.toContain("missing from this installation");
    const list = await runBin(["report"]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain("risky-commands");
  });
});

describe("SshLogError across copies of lib/errors", () => {
  it("recognises an error branded by another copy; subclasses keep the prototype check", () => {
    const foreign = Object.assign(new Error("made elsewhere"), { code: "ERR_NO_TTY", [Symbol.for("ssh-log.SshLogError")]: true });
    expect(foreign instanceof SshLogError).toBe(true);
    expect(foreign instanceof WrongKeyError).toBe(false);
    expect(new Error("plain") instanceof SshLogError).toBe(false);
    expect((null as unknown) instanceof SshLogError).toBe(false);
    const own = new WrongKeyError("w");
    expect(own instanceof SshLogError && own instanceof WrongKeyError && own instanceof Error).toBe(true);
  });
});

describe("a reader that goes away (`ssh-log ... | head`)", () => {
  it("export and replay into a pipe closed after the first bytes: exit 0, nothing on stderr", async () => {
    const tmp = tempDir();
    try {
      const cast = writeCast(join(tmp.dir, "big.cast"), Array.from({ length: 20_000 }, (_, i) => [i / 1000, "o", `line ${i} ${"x".repeat(60)}\r\n`]));
      for (const argv of [["export", cast, "-f", "text"], ["export", cast, "-f", "cast"], ["replay", cast]]) {
        const { code, stderr: err } = await runBinIntoClosedPipe(argv);
        expect(code, argv.join(" ")).toBe(0);
        expect(err, argv.join(" ")).toBe("");
      }
    } finally {
      tmp.cleanup();
    }
  }, 60_000);
});
