import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, BIN, type CliResult } from "../helpers/run-cli.js";
import { SESSIONS_DIR, tempDirWithKey } from "../helpers/fixtures.js";

/**
 * Hostile surroundings rather than hostile bytes: directories, permissions, missing folders, a
 * full disk. Each case states the exact code and exit code, and that nothing half-written remains.
 */
const LOG = join(SESSIONS_DIR, "pty-exit0.log");
const BIG = join(SESSIONS_DIR, "exec-binary.log"); // its zip is ~46 KB: more than the 16 KiB disk below

let env: ReturnType<typeof tempDirWithKey>;
beforeAll(() => { env = tempDirWithKey(); });
afterAll(() => env.cleanup());

const codeOf = (r: CliResult): string | null => /\[(ERR_[A-Z_]+)\]/.exec(r.stderr)?.[1] ?? null;

/**
 * Runs the real CLI as root WITHOUT the capabilities that let root ignore file permissions
 * (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH): the tests run as root, where chmod 000 stops nothing.
 * Needs util-linux's setpriv; when it is missing this fails rather than pretending.
 */
function runUnprivileged(argv: string[]): CliResult {
  const r = spawnSync("setpriv", ["--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-all", "--", process.execPath, BIN, ...argv], { encoding: "utf8", timeout: 30_000 });
  if (r.error) throw new Error(`setpriv is needed to test permissions as root: ${r.error.message}`);
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe("hostile surroundings", () => {
  it("a directory given as the log: ERR_IS_DIRECTORY, exit 6", async () => {
    const r = await runCli(["decrypt", "-i", env.key, "-l", env.dir, "-o", join(env.dir, "a.zip")]);
    expect([r.code, codeOf(r)]).toEqual([6, "ERR_IS_DIRECTORY"]);
  });

  it("a directory given as the key: ERR_IS_DIRECTORY, exit 6", async () => {
    const r = await runCli(["decrypt", "-i", env.dir, "-l", LOG, "-o", join(env.dir, "b.zip")]);
    expect([r.code, codeOf(r)]).toEqual([6, "ERR_IS_DIRECTORY"]);
  });

  it("a directory given to inspect: ERR_IS_DIRECTORY, exit 6", async () => {
    const r = await runCli(["inspect", env.dir]);
    expect([r.code, codeOf(r)]).toEqual([6, "ERR_IS_DIRECTORY"]);
  });

  it("a log that does not exist: ERR_NOT_FOUND, exit 6", async () => {
    const r = await runCli(["decrypt", "-i", env.key, "-l", join(env.dir, "nope.log"), "-o", join(env.dir, "c.zip")]);
    expect([r.code, codeOf(r)]).toEqual([6, "ERR_NOT_FOUND"]);
  });

  it("an output whose folder is missing: ERR_OUTPUT, exit 6, nothing written", async () => {
    const out = join(env.dir, "missing", "deeper", "d.zip");
    const r = await runCli(["decrypt", "-i", env.key, "-l", LOG, "-o", out]);
    expect([r.code, codeOf(r)]).toEqual([6, "ERR_OUTPUT"]);
    expect(existsSync(join(env.dir, "missing"))).toBe(false);
  });

  it("an output path that is a directory: ERR_OUTPUT, exit 6, the directory untouched", async () => {
    const out = join(env.dir, "isdir.zip");
    mkdirSync(out);
    const r = await runCli(["decrypt", "-i", env.key, "-l", LOG, "-o", out]);
    expect([r.code, codeOf(r)]).toEqual([6, "ERR_OUTPUT"]);
    expect(readdirSync(out)).toEqual([]);
    expect(readdirSync(env.dir).filter((f) => f.startsWith("."))).toEqual([]);
  });

  it("an unreadable log, run without root's permission override: ERR_UNREADABLE, exit 6", () => {
    const log = join(env.dir, "secret.log");
    copyFileSync(LOG, log);
    chmodSync(log, 0o000);
    const r = runUnprivileged(["decrypt", "-i", env.key, "-l", log, "-o", join(env.dir, "e.zip")]);
    expect([r.code, codeOf(r)], r.stderr).toEqual([6, "ERR_UNREADABLE"]);
    // The same file is readable with the override: the refusal came from the permissions.
    chmodSync(log, 0o644);
    expect(runUnprivileged(["decrypt", "-i", env.key, "-l", log, "-o", join(env.dir, "e.zip")]).code).toBe(0);
  });

  it("an unreadable key: ERR_UNREADABLE, exit 6", () => {
    const key = join(env.dir, "locked-key");
    copyFileSync(env.key, key);
    chmodSync(key, 0o000);
    const r = runUnprivileged(["decrypt", "-i", key, "-l", LOG, "-o", join(env.dir, "f.zip")]);
    expect([r.code, codeOf(r)], r.stderr).toEqual([6, "ERR_UNREADABLE"]);
    expect(existsSync(join(env.dir, "f.zip"))).toBe(false);
  });

  it("an output folder that is not writable: ERR_OUTPUT, exit 6", () => {
    const dir = join(env.dir, "ro");
    mkdirSync(dir, 0o555);
    chmodSync(dir, 0o555);
    const r = runUnprivileged(["decrypt", "-i", env.key, "-l", LOG, "-o", join(dir, "g.zip")]);
    expect([r.code, codeOf(r)], r.stderr).toEqual([6, "ERR_OUTPUT"]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("a zip whose entry escapes its folder: ssh-log export refuses it with ERR_BAD_INPUT, exit 5, nothing written", async () => {
    const zip = join(env.dir, "good.zip");
    expect((await runCli(["decrypt", "-i", env.key, "-l", LOG, "-o", zip])).code).toBe(0);
    const bytes = readFileSync(zip);
    const name = Buffer.from("term_data.txt");
    for (let at = bytes.indexOf(name); at >= 0; at = bytes.indexOf(name, at + 1)) bytes.write("../../etc/pwd", at, "latin1");
    const evil = join(env.dir, "evil.zip");
    writeFileSync(evil, bytes);
    const out = join(env.dir, "evil.cast");
    const r = await runCli(["export", evil, "-f", "cast", "-o", out]);
    expect([r.code, codeOf(r)], r.stderr).toEqual([5, "ERR_BAD_INPUT"]);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(env.dir, "..", "etc"))).toBe(false);
  });

  describe("a full disk (a 16 KiB tmpfs)", () => {
    let disk: string;
    beforeAll(() => {
      disk = join(env.dir, "disk");
      mkdirSync(disk);
      const m = spawnSync("mount", ["-t", "tmpfs", "-o", "size=16k", "tmpfs", disk], { encoding: "utf8" });
      if (m.status !== 0) throw new Error(`mounting a small tmpfs (to test a full disk) was refused: ${m.stderr}`);
    });
    afterAll(() => { spawnSync("umount", [disk]); });

    it("decrypt: ERR_OUTPUT, exit 6, and neither the zip nor a temporary file is left", async () => {
      const r = await runCli(["decrypt", "-i", env.key, "-l", BIG, "-o", join(disk, "big.zip")]);
      expect([r.code, codeOf(r)], r.stderr).toEqual([6, "ERR_OUTPUT"]);
      expect(readdirSync(disk)).toEqual([]);
    });

    /** Fills the disk with 4 KiB files (a tmpfs page each) until it refuses one; returns their paths. */
    function fillDisk(): string[] {
      const files: string[] = [];
      for (let i = 0; i < 64; i++) {
        const f = join(disk, `filler${i}`);
        try { writeFileSync(f, Buffer.alloc(4096, 1)); files.push(f); } catch (err) {
          expect((err as NodeJS.ErrnoException).code).toBe("ENOSPC");
          rmSync(f, { force: true });
          return files;
        }
      }
      throw new Error("the small disk never filled up");
    }

    it("keygen on a full disk: ERR_OUTPUT, exit 6, and no half-written key", async () => {
      const fillers = fillDisk();
      const r = await runCli(["keygen", "-o", join(disk, "sshkey")]);
      expect([r.code, codeOf(r)], r.stderr).toEqual([6, "ERR_OUTPUT"]);
      expect(readdirSync(disk).filter((f) => !f.startsWith("filler"))).toEqual([]);
      for (const f of fillers) rmSync(f);
    });

    it("keygen with room for the private key only: ERR_OUTPUT, and the lone private key is removed", async () => {
      const fillers = fillDisk();
      rmSync(fillers.pop()!); // one page free: the private key fits, its .pub does not
      const r = await runCli(["keygen", "-o", join(disk, "sshkey")]);
      expect([r.code, codeOf(r)], r.stderr).toEqual([6, "ERR_OUTPUT"]);
      expect(readdirSync(disk).filter((f) => !f.startsWith("filler"))).toEqual([]);
      for (const f of fillers) rmSync(f);
      // With the space back, the same command works: nothing was left to block it.
      const again = await runCli(["keygen", "-o", join(disk, "sshkey")]);
      expect(again.code, again.stderr).toBe(0);
    });
  });
});
