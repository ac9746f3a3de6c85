import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openCapture } from "../../../lib/session/open-capture.js";
import { PacketCode, Source } from "../../../lib/format/packets.js";
import { paceInto } from "../../helpers/sshd.js";
import { type ProxyRig, runProgram, startRig, waitFor } from "./setup.js";

/**
 * Load: 50 concurrent SSH sessions through the proxy to a real sshd on loopback, each streaming its
 * own random data both ways for a bounded time; a few clients are killed mid-stream. Every
 * recording must hold exactly its own session's bytes (what the client sent and what it got
 * back), the proxy's memory must stay bounded, and the killed sessions must not disturb the rest.
 */
const SESSIONS = Number(process.env.LOAD_SESSIONS ?? "") || 50;
const KILLED = Math.max(1, Math.floor(SESSIONS / 10));
const BYTES = Number(process.env.LOAD_BYTES ?? "") || 192 * 1024;
const CHUNK = 8 * 1024;

let rig: ProxyRig;
beforeAll(async () => { rig = await startRig({ flushIntervalMs: 100 }); }, 60_000);
afterAll(async () => { await rig?.stop(); });

interface Result { i: number; sent: Buffer; received: Buffer; stderr: Buffer; code: number | null; signal: NodeJS.Signals | null; killed: boolean }

/** One client: `cat` on the server echoes what it is sent, in CHUNK writes paced over ~2 s. */
function session(i: number, kill: boolean): Promise<Result> {
  const sent = randomBytes(BYTES);
  const child = spawn("ssh", [...rig.sshArgs(), rig.target, `cat; exit 0 # load-${i}`], { stdio: ["pipe", "pipe", "pipe"] });
  const out: Buffer[] = [];
  child.stdout.on("data", (d: Buffer) => out.push(d));
  const err: Buffer[] = [];
  child.stderr.on("data", (d: Buffer) => err.push(d));
  const stopPacing = paceInto(child.stdin, sent, CHUNK, Math.max(5, Math.floor(2000 / (BYTES / CHUNK))));
  const killTimer = kill ? setTimeout(() => child.kill("SIGKILL"), 700 + i * 37) : null;
  const guard = setTimeout(() => child.kill("SIGKILL"), 45_000);
  return new Promise((resolve) => child.on("close", (code, signal) => {
    stopPacing();
    clearTimeout(guard);
    if (killTimer) clearTimeout(killTimer);
    const received = Buffer.concat(out);
    resolve({ i, sent, received, stderr: Buffer.concat(err), code, signal, killed: kill });
  }));
}

/** Everything a recording holds, per side. */
async function recorded(path: string): Promise<{ firsts: string; client: Buffer; server: Buffer; stderr: Buffer; complete: boolean; error: string | null; exit: unknown }> {
  const s = await openCapture(path, { privateKey: rig.privateKey });
  const client: Buffer[] = [];
  const server: Buffer[] = [];
  const stderr: Buffer[] = [];
  const firsts: string[] = [];
  for await (const batch of s.batches()) {
    for (const ev of batch) {
      (ev.source === Source.Client ? client : ev.code === PacketCode.Stderr ? stderr : server).push(Buffer.from(ev.data));
      if (firsts.length < 6) firsts.push(`${ev.source}/${ev.code}:${ev.data.length}@${ev.elapsedMicros}`);
    }
  }
  return { firsts: firsts.join(" "), client: Buffer.concat(client), server: Buffer.concat(server), stderr: Buffer.concat(stderr), complete: s.outcome.complete, error: s.outcome.error?.code ?? null, exit: s.info.exit };
}

const sha = (b: Buffer): string => createHash("sha256").update(b).digest("hex").slice(0, 16);

describe("proxy under load", () => {
  it("stdin piped at once (ssh host cmd < file) reaches the program and the recording whole", async () => {
    // ssh sends stdin right after its exec request; the proxy once dropped what came before the
    // upstream program was open (ssh2 discards data on a channel not yet accepted).
    const input = randomBytes(1 << 20);
    const r = await runProgram("ssh", [...rig.sshArgs(), rig.target, "cat # at-once"], { input });
    expect(r.code).toBe(0);
    expect(sha(r.stdout)).toBe(sha(input));
    const row = await waitFor("its index row", () => rig.indexRows().find((x) => x.Command === "cat # at-once"));
    const rec = await recorded(join(rig.outDir, row.LogFile));
    expect([sha(rec.client), sha(rec.server), rec.complete]).toEqual([sha(input), sha(input), true]);
  });

  it(`${SESSIONS} concurrent sessions (${KILLED} killed mid-stream): every recording complete, exact and separate; memory bounded`, async () => {
    const baseline = process.memoryUsage();
    let peakRss = baseline.rss;
    let peakConnections = 0;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      peakConnections = Math.max(peakConnections, rig.proxy.connections);
    }, 50);
    const started = Date.now();
    const killSet = new Set(Array.from({ length: KILLED }, (_, k) => Math.floor((k * SESSIONS) / KILLED) + 3).map((x) => x % SESSIONS));
    const results = await Promise.all(Array.from({ length: SESSIONS }, (_, i) => session(i, killSet.has(i))));
    const elapsed = Date.now() - started;

    // Every surviving session got its own bytes back, whole.
    for (const r of results.filter((x) => !x.killed)) {
      expect({ i: r.i, code: r.code, got: sha(r.received), len: r.received.length }).toEqual({ i: r.i, code: 0, got: sha(r.sent), len: r.sent.length });
    }
    // Every program has its index row once the proxy has seen every connection end (a client
    // killed before its program started has neither a program nor a row).
    const loadRows = (): ReturnType<ProxyRig["indexRows"]> => rig.indexRows().filter((x) => /# load-\d+$/.test(x.Command ?? ""));
    const survivors = results.filter((r) => !r.killed).length;
    const captures = (): string[] => readdirSync(rig.outDir, { recursive: true }).map(String).filter((f) => f.endsWith(".log")).sort();
    const rows = await waitFor("the proxy to finish every session", () => {
      const rs = loadRows();
      return rig.proxy.connections === 0 && rs.length >= survivors && rig.indexRows().length === captures().length ? rs : undefined;
    }, 30_000).catch((err: Error) => {
      const have = new Set(loadRows().map((x) => Number(/load-(\d+)$/.exec(x.Command!)![1])));
      const missing = results.filter((r) => !have.has(r.i)).map((r) => `${r.i}${r.killed ? " (killed)" : ""}`);
      throw new Error(`${err.message}: ${rig.proxy.connections} connections open, ${captures().length} captures for ${rig.indexRows().length} index rows, no row for sessions ${missing.join(", ")}; proxy log: ${rig.logLines.filter((l) => !/exited with status 0|disconnected after|connection from|logged in|^[0-9a-f-]+ exec "cat/.test(l)).join(" | ")}`);
    });
    clearInterval(sampler);
    // No capture without its row: every file in the recordings folder is accounted for.
    expect(captures()).toEqual(rig.indexRows().map((x) => x.LogFile).sort());

    const byId = new Map(rows.map((x) => [Number(/load-(\d+)$/.exec(x.Command!)![1]), x]));
    expect(byId.size).toBe(rows.length);
    const stats = { sessions: SESSIONS, elapsedMs: elapsed, peakConnections, rssGrowthMB: Math.round((peakRss - baseline.rss) / 2 ** 20), bytesEachWay: 0, killedCompleteRecordings: 0, killedBeforeStart: 0 };
    for (const r of results) {
      const row = byId.get(r.i);
      if (!row) {
        expect(r.killed, `session ${r.i} has no index row`).toBe(true);
        stats.killedBeforeStart++;
        continue;
      }
      const rec = await recorded(join(rig.outDir, row.LogFile));
      const ctx = `session ${r.i}${r.killed ? " (killed)" : ""}: ${row.LogFile}`;
      expect(rec.error, ctx).toBeNull();
      expect(rec.complete, ctx).toBe(true);
      if (!r.killed) {
        // Exactly this session's bytes, both ways: nothing lost, nothing from another session.
        const lens = `recorded client ${rec.client.length}, server ${rec.server.length}, stderr ${JSON.stringify(rec.stderr.toString())}, sent ${r.sent.length}, client stderr ${JSON.stringify(r.stderr.toString())}; first packets ${rec.firsts}`;
        expect(sha(rec.client), `${ctx}: ${lens}`).toBe(sha(r.sent));
        expect(sha(rec.server), `${ctx}: ${lens}`).toBe(sha(r.sent));
        expect(rec.stderr.toString(), ctx).toBe(r.stderr.toString());
        expect(rec.exit, ctx).toMatchObject({ status: 0 });
        expect(row.ExitStatus, ctx).toBe(0);
        stats.bytesEachWay += rec.client.length;
      } else {
        // A killed client: what was recorded is a prefix of what it sent, and the server side a prefix too.
        const info = `${ctx}: recorded client ${rec.client.length}, server ${rec.server.length}; sent ${r.sent.length}, got back ${r.received.length}`;
        expect(r.sent.subarray(0, rec.client.length).equals(rec.client), info).toBe(true);
        expect(r.sent.subarray(0, rec.server.length).equals(rec.server), info).toBe(true);
        expect(rec.server.length, `${ctx}: client ${rec.client.length}, server ${rec.server.length}, sent ${r.sent.length}, got back ${r.received.length}`).toBeLessThanOrEqual(rec.client.length);
        stats.killedCompleteRecordings++;
      }
    }
    if (process.env.LOAD_STATS) console.log(stats);
    expect(peakConnections).toBeGreaterThanOrEqual(Math.floor(SESSIONS * 0.8));
    // The proxy buffers at most a few blocks per session: far below the data that went through.
    expect(peakRss - baseline.rss).toBeLessThan(256 * 2 ** 20);
  }, 90_000);
});
