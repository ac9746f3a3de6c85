import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeKeyText } from "../../../lib/crypto/keys.js";
import { generateKeyPair } from "../../../lib/crypto/suite.js";
import { ErrorCode } from "../../../lib/errors.js";
import { Source } from "../../../lib/format/packets.js";
import { type RunningProxy, startProxy } from "../../../lib/proxy/start-proxy.js";
import { openCapture } from "../../../lib/session/open-capture.js";
import { makeSshKey, paceInto, type Sshd, sshClientOptions, startSshd } from "../../helpers/sshd.js";

/**
 * The recordings disk fills up under load: "not recorded, not allowed" must hold. Every session
 * whose recording can no longer be written is ended, with a sentence on its stderr; what each
 * capture holds up to that point still decrypts, and is exactly what passed.
 */
const SESSIONS = 8;

let sshd: Sshd;
let dir: string;
let disk: string;
let proxy: RunningProxy;
let keys: { privateKey: Uint8Array; publicKey: Uint8Array };
let userKey: string;
const logLines: string[] = [];
beforeAll(async () => {
  sshd = await startSshd();
  dir = mkdtempSync(join(tmpdir(), "ssh-log-disk-full-"));
  disk = join(dir, "disk");
  mkdirSync(disk);
  const m = spawnSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", disk], { encoding: "utf8" });
  if (m.status !== 0) throw new Error(`mounting a small tmpfs (to fill the recordings disk) was refused: ${m.stderr}`);
  const upstreamKey = makeSshKey(join(dir, "proxy_id_ed25519"), "ssh-log-proxy");
  sshd.authorize(readFileSync(`${upstreamKey}.pub`, "utf8"));
  userKey = makeSshKey(join(dir, "user_ed25519"), "user@test");
  writeFileSync(join(dir, "users.pub"), readFileSync(`${userKey}.pub`));
  keys = await generateKeyPair();
  writeFileSync(join(dir, "sshkey.pub"), encodeKeyText(keys.publicKey));
  proxy = await startProxy({
    listen: { host: "127.0.0.1", port: 0 }, upstream: { host: "127.0.0.1", port: sshd.port },
    hostKeyPath: makeSshKey(join(dir, "proxy_host_ed25519"), "proxy-host"), authorizedKeysPath: join(dir, "users.pub"),
    upstreamKeyPath: upstreamKey, upstreamHostKeyPath: sshd.hostPublicKey, publicKeyPath: join(dir, "sshkey.pub"),
    outDir: join(disk, "recordings"), log: (l) => logLines.push(l), recorder: { flushIntervalMs: 50 },
  });
}, 60_000);
afterAll(async () => {
  await proxy?.close();
  await sshd?.stop();
  if (disk) spawnSync("umount", [disk]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Run { i: number; sent: Buffer; received: Buffer; stderr: string; code: number | null }

function session(i: number, sent: Buffer): Promise<Run> {
  const child = spawn("ssh", [...sshClientOptions(userKey, proxy.port), `${sshd.user}@127.0.0.1`, `cat # full-${i}`], { stdio: ["pipe", "pipe", "pipe"] });
  const out: Buffer[] = [];
  let err = "";
  child.stdout.on("data", (d: Buffer) => out.push(d));
  child.stderr.on("data", (d: Buffer) => { err += d.toString(); });
  const stopPacing = paceInto(child.stdin, sent, 16384, 5);
  const guard = setTimeout(() => child.kill("SIGKILL"), 40_000);
  return new Promise((resolve) => child.on("close", (code) => { stopPacing(); clearTimeout(guard); resolve({ i, sent, received: Buffer.concat(out), stderr: err, code }); }));
}

describe("proxy with a recordings disk that fills up", () => {
  it(`${SESSIONS} sessions sending 512 KiB each to a 1 MiB disk: those that cannot be recorded are ended; every capture is exact up to where it stops`, async () => {
    const runs = await Promise.all(Array.from({ length: SESSIONS }, (_, i) => session(i, randomBytes(512 * 1024))));
    const ended = runs.filter((r) => r.code !== 0);
    // The disk holds about two sessions' worth: most must have been stopped, and told why.
    expect(ended.length).toBeGreaterThan(SESSIONS / 2);
    for (const r of ended) expect(r.stderr, `session ${r.i}`).toMatch(/ssh-log proxy: .*recording/);
    // A session that finished normally got its whole echo back.
    for (const r of runs.filter((x) => x.code === 0)) expect(r.received.equals(r.sent), `session ${r.i}`).toBe(true);

    const files = readdirSync(join(disk, "recordings"), { recursive: true }).map(String).filter((f) => f.endsWith(".log"));
    let decrypted = 0;
    let unrecorded = 0;
    for (const f of files) {
      let s;
      try {
        s = await openCapture(join(disk, "recordings", f), { privateKey: keys.privateKey });
      } catch (err) {
        // The disk filled before the header (or block 0) of this one was whole.
        expect([ErrorCode.Truncated, ErrorCode.EmptyFile], `${f}: ${String(err)}`).toContain((err as { code?: string }).code);
        continue;
      }
      const i = Number(/full-(\d+)$/.exec(String(s.info.command))![1]);
      const client: Buffer[] = [];
      const server: Buffer[] = [];
      for await (const batch of s.batches()) for (const ev of batch) (ev.source === Source.Client ? client : server).push(Buffer.from(ev.data));
      const c = Buffer.concat(client);
      const e = Buffer.concat(server);
      const run = runs[i]!;
      expect(run.sent.subarray(0, c.length).equals(c), f).toBe(true);
      expect(run.sent.subarray(0, e.length).equals(e), f).toBe(true);
      // What reached the user beyond what is on disk: the proxy forwards as it records, so when
      // the disk fails, the output buffered for the recording in the last moments is not on disk.
      // Measured and reported (SECURITY.md); not bounded by this test.
      unrecorded = Math.max(unrecorded, run.received.length - e.length);
      if (run.code === 0) expect([c.length, e.length]).toEqual([run.sent.length, run.sent.length]);
      decrypted++;
    }
    expect(decrypted).toBeGreaterThan(0);
    if (process.env.LOAD_STATS) console.log({ sessions: SESSIONS, ended: ended.length, captures: files.length, decrypted, maxUnrecordedOutputBytes: unrecorded });
    expect(logLines.some((l) => /recording failed/.test(l))).toBe(true);
  }, 90_000);
});
