import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { startSshd } from "../../helpers/sshd.js";

const run = promisify(execFile);

describe("test/helpers/sshd", () => {
  it("starts a real sshd on a random loopback port that accepts the client key, and stops it", async () => {
    const sshd = await startSshd();
    try {
      const { stdout } = await run("ssh", [...sshd.sshArgs(), `${sshd.user}@127.0.0.1`, "echo hello from $(whoami)"], { timeout: 15_000 });
      expect(stdout).toBe(`hello from ${sshd.user}\n`);
    } finally {
      await sshd.stop();
    }
    expect(sshd.running).toBe(false);
  });
});
