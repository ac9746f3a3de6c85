import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeKeyText } from "../../../lib/crypto/keys.js";
import { generateKeyPair } from "../../../lib/crypto/suite.js";
import { ErrorCode } from "../../../lib/errors.js";
import { PacketCode, Source } from "../../../lib/format/packets.js";
import { openCapture } from "../../../lib/session/open-capture.js";
import { BIN } from "../../helpers/run-cli.js";
import { makeSshKey, paceInto, type Sshd, sshClientOptions, startSshd } from "../../helpers/sshd.js";

/**
 * The real `ssh-log proxy` process, SIGKILLed at random moments while sessions stream data through
 * it to a real sshd. Every capture it leaves must decrypt, hold only bytes the client really sent
 * (and the echo it got), in order, and, unless its program had ended, no termination data; the
 * index must hold only whole lines.
 */
const RUNS = Math.max(1, Math.floor((Number(process.env.CRASH_RUNS ?? "") || 24) / 8));
const SESSIONS = 6;
const BUILT = fileURLToPath(new URL("../../../dist/cli/commands/proxy.js", import.meta.url));

let sshd: Sshd;
let dir: string;
let keys: { privateKey: Uint8Array; publicKey: Uint8Array };
let paths: { hostKey: string; upstreamKey: string; userKey: string; users: string; pub: string };
beforeAll(async () => {
  if (!existsSync(BUILT) || statSync(BUILT).mtimeMs < statSync(fileURLToPath(new URL("../../../cli/commands/proxy.ts", import.meta.url))).mtimeMs) {
    throw new Error(`${BUILT} is missing or older than its source; run npm run build first.`);
  }
  sshd = await startSshd();
  dir = mkdtempSync(join(tmpdir(), "ssh-log-proxy-kill-"));
  const upstreamKey = makeSshKey(join(dir, "proxy_id_ed25519"), "ssh-log-proxy");
  sshd.authorize(readFileSync(`${upstreamKey}.pub`, "utf8"));
  const userKey = makeSshKey(join(dir, "user_ed25519"), "user@test");
  writeFileSync(join(dir, "users.pub"), readFileSync(`${userKey}.pub`));
  keys = await generateKeyPair();
  writeFileSync(join(dir, "sshkey.pub"), encodeKeyText(keys.publicKey));
  paths = { hostKey: makeSshKey(join(dir, "proxy_host_ed25519"), "proxy-host"), upstreamKey, userKey, users: join(dir, "users.pub"), pub: join(dir, "sshkey.pub") };
}, 60_000);
afterAll(async () => {
  await sshd?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Starts the proxy; resolves with its port once it listens. */
function startProxy(out: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [BIN, "proxy", "--listen", "127.0.0.1:0", "--upstream", `127.0.0.1:${sshd.port}`,
    "--host-key", paths.hostKey, "--authorized-keys", paths.users, "--upstream-key", paths.upstreamKey,
    "--upstream-host-key", sshd.hostPublicKey, "--public-key", paths.pub, "--out", out, "--flush-interval", "50"], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`the proxy did not start: ${err}`)), 20_000);
    child.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
      const m = /listening on [^:]+:(\d+)/.exec(err);
      if (m) { clearTimeout(t); resolve({ child, port: Number(m[1]) }); }
    });
    child.on("exit", () => { clearTimeout(t); reject(new Error(`the proxy exited: ${err}`)); });
  });
}

/** One client streaming random data into `cat` (its echo comes back); resolves when ssh ends. */
function stream(port: number, i: number, sent: Buffer): Promise<void> {
  const child = spawn("ssh", [...sshClientOptions(paths.userKey, port), `${sshd.user}@127.0.0.1`, `cat # kill-${i}`], { stdio: ["pipe", "ignore", "ignore"] });
  const stopPacing = paceInto(child.stdin, sent, 4096, 10);
  const guard = setTimeout(() => child.kill("SIGKILL"), 30_000);
  return new Promise((resolve) => child.on("close", () => { stopPacing(); clearTimeout(guard); resolve(); }));
}

describe("the proxy process killed with SIGKILL", () => {
  it(`${RUNS} runs of ${SESSIONS} streaming sessions: every capture decrypts to a prefix of what was sent, without termination data`, async () => {
    const stats = { captures: 0, bytes: 0, cut: 0, ended: 0 };
    let stderrSeen = 0;
    for (let run = 0; run < RUNS; run++) {
      const out = join(dir, `out-${run}`);
      const { child, port } = await startProxy(out);
      const sent = Array.from({ length: SESSIONS }, () => randomBytes(400 * 1024));
      const clients = sent.map((s, i) => stream(port, i, s));
      await new Promise((r) => setTimeout(r, 400 + ((run * 337) % 900)));
      child.kill("SIGKILL");
      await Promise.all(clients);

      const rows = existsSync(join(out, "index.ndjson")) ? readFileSync(join(out, "index.ndjson"), "utf8").split("\n").filter(Boolean) : [];
      for (const line of rows) expect(() => JSON.parse(line), line).not.toThrow();
      const files = readdirSync(out, { recursive: true }).map(String).filter((f) => f.endsWith(".log"));
      for (const f of files) {
        const s = await openCapture(join(out, f), { privateKey: keys.privateKey });
        const i = Number(/kill-(\d+)$/.exec(String(s.info.command))![1]);
        const client: Buffer[] = [];
        const server: Buffer[] = [];
        // The echo comes back on the server's stdout. Its stderr may carry the remote shell's own
        // start-up messages (seen: pyenv's rehash racing between the six sessions), which were
        // never sent and are recorded as they should be.
        for await (const batch of s.batches()) {
          for (const ev of batch) {
            if (ev.source === Source.Client) client.push(Buffer.from(ev.data));
            else if (ev.code === PacketCode.Data) server.push(Buffer.from(ev.data));
            else stderrSeen++;
          }
        }
        const c = Buffer.concat(client);
        const e = Buffer.concat(server);
        const ctx = `run ${run}, ${f}: ${c.length} bytes in, ${e.length} out, ${s.outcome.error?.message ?? "complete"}`;
        expect(sent[i]!.subarray(0, c.length).equals(c), ctx).toBe(true);
        expect(sent[i]!.subarray(0, e.length).equals(e), ctx).toBe(true);
        if (s.outcome.error) expect(s.outcome.error.code, ctx).toBe(ErrorCode.Truncated);
        if (s.info.exit === null) expect(rows.some((r) => r.includes(f)), `${ctx}: an unfinished program has no index row yet`).toBe(false);
        else {
          // The program ended before the kill: its capture was closed, so it holds everything.
          expect([c.length, e.length, s.outcome.complete], ctx).toEqual([sent[i]!.length, sent[i]!.length, true]);
          stats.ended++;
        }
        stats.captures++;
        stats.bytes += c.length;
        if (s.outcome.error) stats.cut++;
      }
    }
    if (process.env.CRASH_STATS) console.log({ ...stats, stderrPackets: stderrSeen });
    expect(stats.captures).toBeGreaterThan(0);
    expect(stats.bytes).toBeGreaterThan(0);
  }, 120_000);
});
