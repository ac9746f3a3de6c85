import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/run-cli.js";
import { SESSIONS_DIR } from "../helpers/fixtures.js";

describe("ssh-log view without a terminal", () => {
  it("says to use query, report or export, with ERR_NO_TTY and exit 2", async () => {
    const r = await runCli(["view", SESSIONS_DIR]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("[ERR_NO_TTY]");
    expect(r.stderr).toMatch(/query, report or export/);
    expect(r.stdout).toBe("");
  });

  it("documents its keys and sources in --help", async () => {
    const r = await runCli(["view", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("ssh-audit.duckdb");
    expect(r.stdout).toContain("-i, --identity");
  });
});
