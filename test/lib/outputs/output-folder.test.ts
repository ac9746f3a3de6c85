import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makeOutputFolder } from "../../../lib/outputs/atomic-file.js";
import { runCli } from "../../helpers/run-cli.js";
import { terminalCast } from "../../helpers/sessions.js";
import { tempDir } from "../../helpers/fixtures.js";

const t = tempDir();
afterAll(() => t.cleanup());

describe("output folders", () => {
  it("are made with their parents, or refused with one sentence saying why, not Node's error text", async () => {
    const nested = join(t.dir, "a", "b", "c");
    await makeOutputFolder(nested, "output folder", "choose another -o folder");
    expect(existsSync(nested)).toBe(true);
    const file = join(t.dir, "a-file");
    writeFileSync(file, "x");
    await expect(makeOutputFolder(file, "recordings folder", "choose another --out")).rejects.toMatchObject({
      code: "ERR_OUTPUT", message: `The recordings folder ${file} cannot be created: a file of that name is in the way; choose another --out.`,
    });
    await expect(makeOutputFolder(join(file, "sub"), "folder", "choose another output folder")).rejects.toMatchObject({
      code: "ERR_OUTPUT", message: `The folder ${join(file, "sub")} cannot be created: a part of its path is a file, not a folder; choose another output folder.`,
    });
  });

  it("export's many outputs into a path that is a file: exit 6 and that sentence", async () => {
    const file = join(t.dir, "casts");
    writeFileSync(file, "x");
    const r = await runCli(["export", terminalCast("sudo"), terminalCast("readline"), "-f", "cast", "-o", file]);
    expect(r.code).toBe(6);
    expect(r.stderr).toBe(`ssh-log: The output folder ${file} cannot be created: a file of that name is in the way; choose another -o folder. [ERR_OUTPUT]\n`);
  });
});
