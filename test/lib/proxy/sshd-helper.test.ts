import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
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

  it("stop() ends the sessions still open and waits for them, even when one writes into HOME as it ends", async () => {
    const sshd = await startSshd();
    // A shell still connected when the test ends, which (as bash saving its history on SIGHUP) writes
    // into HOME on its way out, a moment after it is told to end.
    const session = spawn("ssh", [...sshd.sshArgs(), "-tt", `${sshd.user}@127.0.0.1`,
      "trap 'sleep 0.3; echo late > \"$HOME/late\"; exit 0' HUP TERM; echo started; while :; do sleep 0.1; done"], { stdio: ["pipe", "pipe", "ignore"] });
    const closed = new Promise<void>((resolve) => session.once("close", () => resolve()));
    try {
      await new Promise<void>((resolve, reject) => {
        let out = "";
        session.stdout!.on("data", (d: Buffer) => { out += d.toString(); if (out.includes("started")) resolve(); });
        session.once("close", () => reject(new Error(`the session ended before it started: ${out}`)));
      });
      await sshd.stop();
      expect(existsSync(sshd.dir)).toBe(false);
      // The session is over (not left running on its own), and nothing came back after the folder went.
      const ended = await Promise.race([closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5000))]);
      expect(ended).toBe(true);
      expect(existsSync(join(sshd.dir, "home", "late"))).toBe(false);
    } finally {
      session.kill("SIGKILL");
    }
  });
});
