import { rmSync } from "node:fs";
import { join } from "node:path";
import type { BenchContext } from "../lib/context.js";
import { ROOT } from "../lib/context.js";
import { median, now, type Row, timeNode, timeWithin } from "../lib/measure.js";
import { candidateDecrypt } from "./decrypt.js";

/**
 * start-up: `ssh-log --help` against `node -e 0`, and `ssh-log decrypt` of a small capture
 * against `node -e 0` plus the decrypt itself measured warm in this process. Medians of `runs`
 * spawns each (at least 7, since one spawn varies by milliseconds).
 */
export async function benchStartup(ctx: BenchContext): Promise<Row[]> {
  const cap = await ctx.capture("startup-small", "v2", {
    dataBytes: 20_000, blockBytes: 64 << 10, packetData: (i) => 1 + ((i * 40503) % 120),
    source: (i) => (i % 2 === 0 ? 0 : 1), gapMicros: () => 50_000, blockPerPacket: true, pty: true,
  });
  const runs = Math.max(7, ctx.config.runs * 3);
  const bin = join(ROOT, "bin/ssh-log.js");
  const zip = ctx.out("startup.zip");
  const warm: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = now();
    await candidateDecrypt(cap.path, ctx.keyPath, zip);
    warm.push(now() - t);
    rmSync(zip, { force: true });
  }
  const work = median(warm);
  const bare = timeNode(["-e", "0"], runs);
  const help = timeNode([bin, "--help"], runs);
  const dec = timeNode([bin, "decrypt", "-i", ctx.keyPath, "-l", cap.path, "-o", zip], runs);
  rmSync(zip, { force: true });
  const ms = 1000;
  return [
    timeWithin("start-up, ssh-log --help", "ms", help * ms, bare * ms, 1.5, `baseline: node -e 0; median of ${runs} spawns`),
    timeWithin("start-up, ssh-log decrypt (small)", "ms", dec * ms, (bare + work) * ms, 1.5, `baseline: node -e 0 (${(bare * ms).toFixed(1)} ms) + the decrypt warm in-process (${(work * ms).toFixed(2)} ms); ${cap.blocks} blocks`),
  ];
}
