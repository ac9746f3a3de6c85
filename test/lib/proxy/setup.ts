import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeKeyText } from "../../../lib/crypto/keys.js";
import { generateKeyPair } from "../../../lib/crypto/suite.js";
import type { ProgramIndexRow } from "../../../lib/proxy/program-index.js";
import { type RunningProxy, startProxy } from "../../../lib/proxy/start-proxy.js";
import { makeSshKey, type Sshd, sshClientOptions, startSshd } from "../../helpers/sshd.js";

/** A real sshd, the proxy in front of it, and the keys of both sides, in one temp folder. */
export interface ProxyRig {
  sshd: Sshd;
  proxy: RunningProxy;
  dir: string;
  outDir: string;
  /** The user's key, listed in the proxy's authorized_keys (comment "alice@laptop"). */
  userKey: string;
  /** The recordings' key pair. */
  privateKey: Uint8Array;
  logLines: string[];
  /** ssh options for connecting through the proxy with the user's key. */
  sshArgs(key?: string): string[];
  /** user@127.0.0.1 of the sshd's user. */
  target: string;
  indexRows(): ProgramIndexRow[];
  stop(): Promise<void>;
}

/** Starts sshd and the proxy; `outDir` puts the recordings elsewhere (e.g. on a small tmpfs). */
export async function startRig(opts: { flushIntervalMs?: number; outDir?: string } = {}): Promise<ProxyRig> {
  const sshd = await startSshd();
  const dir = mkdtempSync(join(tmpdir(), "ssh-log-proxy-"));
  try {
    const hostKey = makeSshKey(join(dir, "proxy_host_ed25519"), "proxy-host");
    const upstreamKey = makeSshKey(join(dir, "proxy_id_ed25519"), "ssh-log-proxy");
    sshd.authorize(readFileSync(`${upstreamKey}.pub`, "utf8"));
    const userKey = makeSshKey(join(dir, "alice_ed25519"), "alice@laptop");
    writeFileSync(join(dir, "users.pub"), readFileSync(`${userKey}.pub`));
    const { privateKey, publicKey } = await generateKeyPair();
    writeFileSync(join(dir, "sshkey.pub"), encodeKeyText(publicKey));
    const outDir = opts.outDir ?? join(dir, "recordings");
    const logLines: string[] = [];
    const proxy = await startProxy({
      listen: { host: "127.0.0.1", port: 0 },
      upstream: { host: "127.0.0.1", port: sshd.port },
      hostKeyPath: hostKey,
      authorizedKeysPath: join(dir, "users.pub"),
      upstreamKeyPath: upstreamKey,
      upstreamHostKeyPath: sshd.hostPublicKey,
      publicKeyPath: join(dir, "sshkey.pub"),
      outDir,
      log: (l) => logLines.push(l),
      ...(process.env.SSH_LOG_TRACE ? { trace: (l: string) => logLines.push(l) } : {}),
      recorder: { flushIntervalMs: opts.flushIntervalMs ?? 200 },
    });
    return {
      sshd, proxy, dir, outDir, userKey, privateKey, logLines,
      sshArgs: (key = userKey) => sshClientOptions(key, proxy.port),
      target: `${sshd.user}@127.0.0.1`,
      indexRows: () => {
        let text = "";
        try { text = readFileSync(join(outDir, "index.ndjson"), "utf8"); } catch { /* none yet */ }
        return text.split("\n").filter(Boolean).map((l) => JSON.parse(l) as ProgramIndexRow);
      },
      async stop() {
        await proxy.close();
        await sshd.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await sshd.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

export interface Run { code: number | null; stdout: Buffer; stderr: string }

/** Runs a program to completion with optional stdin, bounded by a timeout. */
export function runProgram(cmd: string, args: string[], opts: { input?: Buffer | string; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let err = "";
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => { err += d.toString(); });
    const t = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 30_000);
    child.on("error", reject);
    child.on("close", (code) => { clearTimeout(t); resolve({ code, stdout: Buffer.concat(out), stderr: err }); });
    child.stdin.on("error", () => undefined);
    child.stdin.end(opts.input ?? "");
  });
}

/** Polls until `check` returns a value (not undefined), or fails after `ms`. */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const execFileP = (cmd: string, args: string[]): Promise<string> =>
  new Promise((resolve, reject) => execFile(cmd, args, { timeout: 15_000 }, (e, out) => (e ? reject(e) : resolve(out))));
