import { spawn } from "node:child_process";
import { chmodSync, closeSync, copyFileSync, existsSync, lstatSync, openSync, readFileSync, readSync, readlinkSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/run-cli.js";
import { SESSIONS_DIR, tempDirWithKey } from "../helpers/fixtures.js";
import { BAD_KEYS, keyForms, leaks } from "./key-leaks.js";

/**
 * Keys: never printed or logged, file modes, the OpenSSH-style warning, no overwriting (not even
 * through a planted symlink), and no copy of the raw private key left in the process's memory
 * after a decrypt.
 */
const PTY = join(SESSIONS_DIR, "pty-exit0.log");
const EXEC = join(SESSIONS_DIR, "exec-binary.log");

let env: ReturnType<typeof tempDirWithKey>;
let secret: ReturnType<typeof keyForms>;
beforeAll(() => {
  env = tempDirWithKey();
  secret = keyForms(readFileSync(env.key, "latin1"));
});
afterAll(() => env.cleanup());

describe("private keys never appear in output", () => {
  it("not in any command's stdout or stderr, successful or failing, with --debug and --json", async () => {
    const k = env.key;
    const d = env.dir;
    const cut = join(d, "cut.log");
    writeFileSync(cut, readFileSync(PTY).subarray(0, 3000));
    const runs: string[][] = [
      ["decrypt", "-i", k, "-l", PTY, "-o", join(d, "a.zip")],
      ["decrypt", "-i", k, "-l", PTY, "-o", join(d, "b.zip"), "--json", "--debug"],
      ["decrypt", "-i", PTY, "-k", k, "-o", join(d, "c.zip")],
      ["decrypt", "-i", k, "-l", cut, "-o", join(d, "d.zip"), "--debug"],
      ["decrypt", "-i", PTY, "-l", k, "-o", join(d, "e.zip"), "--debug"], // swapped
      ["decrypt", "-i", k, "-l", join(d, "missing.log"), "--debug"],
      ["decrypt", "-i", k, "-l", PTY, "-o", join(d, "nofolder", "f.zip"), "--debug"],
      ["inspect", k, "--debug"],
      ["inspect", PTY, "--json"],
      ["export", "-i", k, PTY, "-f", "text", "-o", join(d, "g.txt"), "--debug"],
      ["export", "-i", k, EXEC, "-f", "cast", "-o", join(d, "h.cast")],
      ["export", "-i", k, k, "-f", "cast", "-o", join(d, "i.cast"), "--debug"],
    ];
    for (const argv of runs) {
      const r = await runCli(argv);
      expect(leaks(`${r.stdout}\n${r.stderr}`, secret), `${argv.join(" ")}: ${r.stderr}`).toEqual([]);
    }
  });

  it("a malformed key file's content is never echoed back in the error", async () => {
    for (const [name, text] of BAD_KEYS(readFileSync(env.key, "latin1"))) {
      const path = join(env.dir, name);
      writeFileSync(path, text, { mode: 0o600 });
      const r = await runCli(["decrypt", "-i", path, "-l", PTY, "-o", join(env.dir, `${name}.zip`), "--debug"]);
      expect(r.code, name).not.toBe(0);
      expect(leaks(`${r.stdout}\n${r.stderr}`, keyForms(text)), name).toEqual([]);
    }
  });

  it("keygen prints the public key only", async () => {
    const r = await runCli(["keygen", "-o", join(env.dir, "fresh")]);
    expect(r.code).toBe(0);
    const made = keyForms(readFileSync(join(env.dir, "fresh"), "latin1"));
    expect(leaks(`${r.stdout}\n${r.stderr}`, made)).toEqual([]);
    expect(r.stdout.trim()).toBe(readFileSync(join(env.dir, "fresh.pub"), "latin1"));
  });
});

describe("key files on disk", () => {
  it("decrypt warns when the private key is readable by group or others, and still works", async () => {
    for (const [mode, warns] of [[0o600, false], [0o400, false], [0o640, true], [0o644, true], [0o604, true]] as const) {
      chmodSync(env.key, mode);
      const r = await runCli(["decrypt", "-i", env.key, "-l", PTY, "-o", join(env.dir, `w${mode.toString(8)}.zip`)]);
      expect(r.code, mode.toString(8)).toBe(0);
      expect(/readable by other users .*chmod 600/.test(r.stderr), `${mode.toString(8)}: ${r.stderr}`).toBe(warns);
    }
    chmodSync(env.key, 0o600);
  });

  it("keygen writes 0600 and 0644 whatever the umask", async () => {
    const old = process.umask();
    try {
      for (const mask of [0o000, 0o022, 0o077]) {
        process.umask(mask);
        const path = join(env.dir, `um${mask.toString(8)}`);
        expect((await runCli(["keygen", "-o", path])).code).toBe(0);
        expect(statSync(path).mode & 0o777, `umask ${mask.toString(8)}`).toBe(0o600);
        expect(statSync(`${path}.pub`).mode & 0o777, `umask ${mask.toString(8)}`).toBe(0o644);
      }
    } finally {
      process.umask(old);
    }
  });

  it("keygen never writes through a planted symlink, and --force replaces the link, not its target", async () => {
    const victim = join(env.dir, "victim.txt");
    writeFileSync(victim, "precious");
    for (const planted of ["planted", "planted2.pub"]) {
      const base = planted.endsWith(".pub") ? join(env.dir, "planted2") : join(env.dir, planted);
      symlinkSync(victim, join(env.dir, planted));
      const r = await runCli(["keygen", "-o", base]);
      expect([r.code, /\[ERR_OUTPUT_EXISTS\]/.test(r.stderr)], r.stderr).toEqual([6, true]);
      expect(readFileSync(victim, "utf8")).toBe("precious");
      expect(readlinkSync(join(env.dir, planted))).toBe(victim);
    }
    const forced = await runCli(["keygen", "-o", join(env.dir, "planted"), "--force"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(victim, "utf8")).toBe("precious");
    expect(lstatSync(join(env.dir, "planted")).isSymbolicLink()).toBe(false);
    expect(statSync(join(env.dir, "planted")).mode & 0o777).toBe(0o600);
  });

  it("keygen refuses to replace an existing key or a lone .pub, and leaves both untouched", async () => {
    const path = join(env.dir, "kept");
    expect((await runCli(["keygen", "-o", path])).code).toBe(0);
    const before = [readFileSync(path), readFileSync(`${path}.pub`)];
    const again = await runCli(["keygen", "-o", path]);
    expect([again.code, /\[ERR_OUTPUT_EXISTS\]/.test(again.stderr)]).toEqual([6, true]);
    expect([readFileSync(path), readFileSync(`${path}.pub`)]).toEqual(before);
    copyFileSync(`${path}.pub`, join(env.dir, "lone.pub"));
    const lone = await runCli(["keygen", "-o", join(env.dir, "lone")]);
    expect(lone.code).toBe(6);
    expect(existsSync(join(env.dir, "lone"))).toBe(false);
  });
});

describe("public keys that cannot protect anything", () => {
  const SMALL_ORDER = ["00".repeat(32), `01${"00".repeat(31)}`, "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"];

  it("the recorder refuses a small-order public key with ERR_BAD_KEY (as bytes and as .pub text), and creates no file", async () => {
    const { createRecorder } = await import("../../lib/session/recorder.js");
    for (const hex of SMALL_ORDER) {
      for (const publicKey of [Buffer.from(hex, "hex"), Buffer.from(hex, "hex").toString("base64")]) {
        const path = join(env.dir, `small-${hex.slice(0, 6)}.log`);
        await expect(createRecorder({ publicKey, path, pty: null })).rejects.toMatchObject({ code: "ERR_BAD_KEY" });
        expect(existsSync(path)).toBe(false);
      }
    }
  });

  it("the proxy refuses to start with a small-order recordings key: exit 5, ERR_BAD_KEY", async () => {
    const pub = join(env.dir, "zero.pub");
    writeFileSync(pub, Buffer.alloc(32).toString("base64"));
    const { makeSshKey } = await import("../helpers/sshd.js");
    const host = makeSshKey(join(env.dir, "host_ed25519"));
    const up = makeSshKey(join(env.dir, "up_ed25519"));
    const r = await runCli(["proxy", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9", "--host-key", host, "--authorized-keys", `${up}.pub`,
      "--upstream-key", up, "--public-key", pub, "--out", join(env.dir, "rec")]);
    expect([r.code, /small order.*\[ERR_BAD_KEY\]/.test(r.stderr)], r.stderr).toEqual([5, true]);
  });
});

describe("keys in memory", () => {
  const BUILT = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
  const CHILD = fileURLToPath(new URL("./decrypt-then-wait.mjs", import.meta.url));

  it("after a decrypt, no copy of the raw private key is left in the process's memory", async () => {
    // The child runs the built CLI: it must be built from the key-handling code under test.
    for (const src of ["lib/crypto/keys.ts", "lib/crypto/hpke-receiver.ts", "lib/session/open-capture-file.ts"]) {
      const built = fileURLToPath(new URL(`../../dist/${src.replace(/\.ts$/, ".js")}`, import.meta.url));
      if (!existsSync(built) || statSync(built).mtimeMs < statSync(fileURLToPath(new URL(`../../${src}`, import.meta.url))).mtimeMs) {
        throw new Error(`${built} is missing or older than ${src}; run npm run build first.`);
      }
    }
    const child = spawn(process.execPath, ["--expose-gc", CHILD, BUILT, env.key, PTY, join(env.dir, "mem.zip")], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      await new Promise<void>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (d: Buffer) => { out += d.toString(); if (out.includes("ready 0")) resolve(); });
        child.on("exit", (code) => reject(new Error(`the child exited (${code}) before it was ready: ${out}`)));
        setTimeout(() => reject(new Error("the child was not ready in 20 s")), 20_000);
      });
      const raw = Buffer.from(readFileSync(env.key, "latin1").trim(), "base64");
      const found = scanMemory(child.pid!, [raw]);
      expect(found.bytesScanned).toBeGreaterThan(10 << 20); // the scan really read the heap
      expect(found.hits[0], "copies of the raw 32-byte private key in memory").toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
  }, 60_000);
});

/** Counts occurrences of each needle in a process's writable memory (/proc/PID/mem; needs ptrace rights: root, or our own child). */
function scanMemory(pid: number, needles: Buffer[]): { hits: number[]; bytesScanned: number } {
  const maps = readFileSync(`/proc/${pid}/maps`, "utf8").split("\n").filter(Boolean);
  const fd = openSync(`/proc/${pid}/mem`, "r");
  const hits = needles.map(() => 0);
  let bytesScanned = 0;
  const CHUNK = 8 << 20;
  const buf = Buffer.allocUnsafe(CHUNK + 64);
  try {
    for (const line of maps) {
      const [range, perms] = line.split(/\s+/);
      if (!perms!.startsWith("rw")) continue;
      const [a, b] = range!.split("-").map((x) => BigInt(`0x${x}`));
      for (let at = a!; at < b!; at += BigInt(CHUNK)) {
        const len = Number(b! - at < BigInt(CHUNK + 64) ? b! - at : BigInt(CHUNK + 64));
        let n = 0;
        try { n = readSync(fd, buf, 0, len, at); } catch { break; }
        bytesScanned += Math.min(n, CHUNK);
        const view = buf.subarray(0, n);
        needles.forEach((needle, i) => {
          // Chunks overlap by 64 bytes; count only matches starting inside this chunk's own part.
          for (let j = view.indexOf(needle); j >= 0 && j < CHUNK; j = view.indexOf(needle, j + 1)) hits[i]!++;
        });
      }
    }
  } finally {
    closeSync(fd);
  }
  return { hits, bytesScanned };
}
