import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { rfc3339 } from "../../../lib/proxy/program-index.js";
import { runProgram, startRig, waitFor } from "./setup.js";

/** Not recorded, not allowed: when a recording cannot be made, the user's program does not run on. */
describe("the proxy when recording fails", () => {
  it("refuses a program whose recording cannot be created, with a sentence on stderr", async () => {
    const rig = await startRig();
    try {
      // The day folder cannot be created: a file stands where it would go (today and tomorrow, for runs at midnight).
      for (const d of [new Date(), new Date(Date.now() + 86_400_000)]) writeFileSync(join(rig.outDir, rfc3339(d).slice(0, 10).replaceAll("-", "")), "");
      const marker = join(rig.dir, "ran");
      const r = await runProgram("ssh", [...rig.sshArgs(), rig.target, `touch ${marker}; echo ran`]);
      expect(r.code).toBe(255);
      expect(r.stdout.toString()).toBe("");
      expect(r.stderr).toMatch(/^ssh-log proxy: .*could not be created/m);
      expect(rig.logLines.some((l) => /refused the exec .*the recording could not be created/.test(l))).toBe(true);
      expect(() => execFileSync("test", ["-e", marker])).toThrow();
    } finally {
      await rig.stop();
    }
  });

  it("ends a program whose recording fails mid-session (a full disk), telling the user", async () => {
    if (process.getuid?.() !== 0) throw new Error("this test mounts a small tmpfs and needs root");
    const mnt = mkdtempSync(join(tmpdir(), "ssh-log-full-"));
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", mnt]);
    try {
      mkdirSync(join(mnt, "recordings"));
      const rig = await startRig({ outDir: join(mnt, "recordings"), flushIntervalMs: 50 });
      try {
        // Far more output than the disk holds, at a pace the recorder flushes several times.
        const r = await runProgram("ssh", [...rig.sshArgs(), rig.target, "for i in $(seq 1 40); do head -c 32768 /dev/urandom | base64; sleep 0.02; done; exit 0"], { timeoutMs: 30_000 });
        expect(r.code).toBe(255);
        expect(r.stderr).toContain("ssh-log proxy: the recording of this session failed, so the session is ended.");
        expect(r.stdout.length).toBeLessThan(40 * 44_000);
        await waitFor("the failure in the log", () => (rig.logLines.some((l) => /recording failed, ending the program/.test(l)) ? true : undefined));
      } finally {
        await rig.stop();
      }
    } finally {
      execFileSync("umount", [mnt]);
      rmSync(mnt, { recursive: true, force: true });
    }
  });
});
