import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { BenchContext } from "../lib/context.js";
import { ROOT } from "../lib/context.js";
import { median, now, type Row, timeNode, timeWithin } from "../lib/measure.js";
import { candidateDecrypt } from "./decrypt.js";

/** Seconds one cold decrypt takes in a fresh process whose modules are already loaded (best of `runs`). */
function coldWork(log: string, key: string, out: string, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, [join(ROOT, "dist/bench/decrypt-once.js"), log, key, out], { encoding: "utf8", timeout: 60_000 });
    rmSync(out, { force: true });
    if (r.status !== 0) throw new Error(`decrypt-once failed: ${r.stderr}`);
    times.push(Number(r.stdout.trim()));
  }
  return Math.min(...times);
}

/**
 * start-up: `ssh-log --help` against `node -e 0`, and `ssh-log decrypt` of a small capture
 * against `node -e 0` plus the decrypt itself, run cold in a fresh process after its imports (as
 * the CLI runs it: JIT-cold code). The difference is what ssh-log's own start-up (imports,
 * commander) costs. Best of at least 9 spawns each (other work on the machine only adds time).
 *
 * @example const rows = await benchStartup(ctx);
 */
export async function benchStartup(ctx: BenchContext): Promise<Row[]> {
  const cap = await ctx.capture("startup-small", "v3", {
    dataBytes: 20_000, blockBytes: 64 << 10, packetData: (i) => 1 + ((i * 40503) % 120),
    source: (i) => (i % 2 === 0 ? 0 : 1), gapMicros: () => 50_000, blockPerPacket: true, pty: true,
  });
  const runs = Math.max(9, ctx.config.runs * 3);
  const bin = join(ROOT, "bin/ssh-log.js");
  const zip = ctx.out("startup.zip");
  const warm: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = now();
    await candidateDecrypt(cap.path, ctx.keyPath, zip);
    warm.push(now() - t);
    rmSync(zip, { force: true });
  }
  // Interleaved, so that every figure sees the same moments of the machine's load.
  let work = Infinity, bare = Infinity, help = Infinity, dec = Infinity;
  for (let i = 0; i < runs; i++) {
    work = Math.min(work, coldWork(cap.path, ctx.keyPath, zip, 1));
    bare = Math.min(bare, timeNode(["-e", "0"], 1));
    help = Math.min(help, timeNode([bin, "--help"], 1));
    dec = Math.min(dec, timeNode([bin, "decrypt", "-i", ctx.keyPath, "-l", cap.path, "-o", zip], 1));
    rmSync(zip, { force: true });
  }
  rmSync(zip, { force: true });
  const ms = 1000;
  return [
    timeWithin("start-up, ssh-log --help", "ms", help * ms, bare * ms, 1.5, `baseline: node -e 0; best of ${runs} spawns`),
    timeWithin("start-up, ssh-log decrypt (small)", "ms", dec * ms, (bare + work) * ms, 1.5, `baseline: node -e 0 (${(bare * ms).toFixed(1)} ms) + the decrypt run cold after its imports (${(work * ms).toFixed(1)} ms; warm in-process ${(median(warm) * ms).toFixed(1)} ms); ${cap.blocks} blocks`),
  ];
}
