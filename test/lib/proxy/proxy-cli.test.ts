import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeKeyText } from "../../../lib/crypto/keys.js";
import { generateKeyPair } from "../../../lib/crypto/suite.js";
import { openCapture } from "../../../lib/session/open-capture.js";
import { BIN } from "../../helpers/run-cli.js";
import { makeSshKey, type Sshd, sshClientOptions, startSshd } from "../../helpers/sshd.js";
import { runProgram, waitFor } from "./setup.js";

const BUILT = fileURLToPath(new URL("../../../dist/cli/commands/proxy.js", import.meta.url));
const SOURCE = fileURLToPath(new URL("../../../cli/commands/proxy.ts", import.meta.url));

let sshd: Sshd;
let dir: string;
let privateKey: Uint8Array;
beforeAll(async () => {
  if (!existsSync(BUILT) || statSync(BUILT).mtimeMs < statSync(SOURCE).mtimeMs) throw new Error(`${BUILT} is missing or stale; run npm run build first.`);
  sshd = await startSshd();
  dir = mkdtempSync(join(tmpdir(), "ssh-log-proxy-cli-"));
  makeSshKey(join(dir, "proxy_host_ed25519"), "proxy-host");
  makeSshKey(join(dir, "proxy_id_ed25519"), "ssh-log-proxy");
  sshd.authorize(readFileSync(join(dir, "proxy_id_ed25519.pub"), "utf8"));
  makeSshKey(join(dir, "user"), "bob@desk");
  writeFileSync(join(dir, "users.pub"), readFileSync(join(dir, "user.pub")));
  const pair = await generateKeyPair();
  privateKey = pair.privateKey;
  writeFileSync(join(dir, "sshkey.pub"), encodeKeyText(pair.publicKey));
});
afterAll(async () => {
  await sshd?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Starts `ssh-log proxy` as a user would; resolves once it listens, with its port. */
async function startCli(out: string) {
  const child = spawn(process.execPath, [BIN, "proxy", "--listen", "127.0.0.1:0", "--upstream", `127.0.0.1:${sshd.port}`,
    "--host-key", "proxy_host_ed25519", "--authorized-keys", "users.pub", "--upstream-key", "proxy_id_ed25519",
    "--upstream-host-key", sshd.hostPublicKey, "--public-key", "sshkey.pub", "--out", out, "--flush-interval", "100"],
  { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
  const guard = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => { clearTimeout(guard); resolve(code); }));
  const port = await waitFor("the proxy to listen", () => {
    const m = /listening on 127\.0\.0\.1:(\d+)/.exec(stderr);
    return m ? Number(m[1]) : undefined;
  });
  return { child, port, exited, stderr: () => stderr };
}

describe("ssh-log proxy (the command)", () => {
  it("records an exec, logs the connection on stderr, and stops cleanly on SIGTERM (exit 0) and Ctrl-C (exit 130)", async () => {
    const p = await startCli("recs");
    const r = await runProgram("ssh", [...sshClientOptions(join(dir, "user"), p.port), `${sshd.user}@127.0.0.1`, "echo via-cli; exit 4"]);
    expect(r.stdout.toString()).toBe("via-cli\n");
    expect(r.code).toBe(4);
    const index = join(dir, "recs", "index.ndjson");
    const row = await waitFor("the index row", () => {
      const t = existsSync(index) ? readFileSync(index, "utf8").trim() : "";
      return t ? JSON.parse(t.split("\n")[0]!) as { LogFile: string; ExitStatus: number; UserKeyComment: string } : undefined;
    });
    expect(row.ExitStatus).toBe(4);
    expect(row.UserKeyComment).toBe("bob@desk");
    const s = await openCapture(join(dir, "recs", row.LogFile), { privateKey, mode: "strict" });
    expect(s.info.command).toBe("echo via-cli; exit 4");
    await s.close(); // only its header was read: the file is released here, not by the garbage collector
    p.child.kill("SIGTERM");
    expect(await p.exited).toBe(0);
    const log = p.stderr();
    expect(log).toMatch(/^\S+Z [0-9a-f]{8} connection from 127\.0\.0\.1:\d+$/m);
    expect(log).toMatch(new RegExp(`[0-9a-f]{8} ${sshd.user} logged in with SHA256:\\S+ \\(bob@desk\\)`));
    expect(log).toMatch(/[0-9a-f]{8}-0 exited with status 4/);
    expect(log).toMatch(/stopped\.\n$/);
    // The fingerprint it announces is the one ssh-keygen computes for its host key.
    const { execFileSync } = await import("node:child_process");
    const fp = execFileSync("ssh-keygen", ["-l", "-f", join(dir, "proxy_host_ed25519.pub")], { encoding: "utf8" }).split(" ")[1];
    expect(log).toContain(`its host key is ${fp};`);

    const q = await startCli("recs");
    q.child.kill("SIGINT");
    expect(await q.exited).toBe(130);
  });

  it("a Ctrl-C sent the moment it says to press it still stops it cleanly (exit 130), every time", async () => {
    // The signal goes from the stderr handler itself, as early as a reader can send it; before the
    // handler was set up ahead of that line, most such runs were killed outright (27 of 40).
    for (let i = 0; i < 8; i++) {
      const child = spawn(process.execPath, [BIN, "proxy", "--listen", "127.0.0.1:0", "--upstream", `127.0.0.1:${sshd.port}`,
        "--host-key", "proxy_host_ed25519", "--authorized-keys", "users.pub", "--upstream-key", "proxy_id_ed25519",
        "--upstream-host-key", sshd.hostPublicKey, "--public-key", "sshkey.pub", "--out", "recs5"], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
      let err = "";
      let sent = false;
      child.stderr.on("data", (d: Buffer) => {
        err += d.toString();
        if (!sent && err.includes("stop with Ctrl-C")) { sent = true; child.kill("SIGINT"); }
      });
      const code = await new Promise<number | string | null>((resolve) => child.on("close", (c, sig) => resolve(c ?? sig)));
      expect(code, `run ${i + 1}: ${err}`).toBe(130);
    }
  });

  it("forwards terminal modes from the CLI bundle too (no warning that ssh2's internals differ)", async () => {
    // The capture of a pty-req's modes patches ssh2 through a require() made from the module's own
    // URL; the bundle rewrites import.meta.url, and once made that require() throw.
    const p = await startCli("recs4");
    p.child.kill("SIGTERM");
    expect(await p.exited).toBe(0);
    expect(p.stderr()).not.toMatch(/warning/);
  });

  it("fails with one sentence and the right exit code for a missing or wrong key file", async () => {
    const base = ["proxy", "--upstream", `127.0.0.1:${sshd.port}`, "--authorized-keys", "users.pub", "--upstream-key", "proxy_id_ed25519", "--public-key", "sshkey.pub", "--out", "recs2"];
    const cwdRun = async (extra: string[]) => {
      const child = spawn(process.execPath, [BIN, ...base, ...extra], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
      let err = "";
      child.stderr.on("data", (d: Buffer) => { err += d.toString(); });
      const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
      return { code, err };
    };
    const missing = await cwdRun(["--host-key", "no-such-key"]);
    expect(missing.code).toBe(6);
    expect(missing.err).toMatch(/\[ERR_NOT_FOUND\]\n$/);
    const pub = await cwdRun(["--host-key", "proxy_host_ed25519.pub"]);
    expect(pub.code).toBe(5);
    expect(pub.err).toMatch(/not an OpenSSH private key.*\[ERR_BAD_KEY\]/);
    const swapped = await cwdRun(["--host-key", "proxy_host_ed25519", "--public-key", "proxy_host_ed25519.pub"]);
    expect(swapped.code).toBe(5);
  });

  it("warns at start when the upstream cannot be reached, and keeps running", async () => {
    const child = spawn(process.execPath, [BIN, "proxy", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:1",
      "--host-key", "proxy_host_ed25519", "--authorized-keys", "users.pub", "--upstream-key", "proxy_id_ed25519",
      "--public-key", "sshkey.pub", "--out", "recs3"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr.on("data", (d: Buffer) => { err += d.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    await waitFor("the warning", () => (/upstream 127\.0\.0\.1:1 is not reachable now \(ECONNREFUSED\)/.test(err) ? true : undefined));
    expect(err).toMatch(/upstream's host key is not checked/);
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});
