import { once } from "node:events";
import { createRecorder } from "../../lib/session/recorder.js";
import { baselineSeal, captureKeys } from "../lib/baseline.js";
import type { BenchContext } from "../lib/context.js";
import { atMost, higherIsBetter, medianPairOfAlternating, now, type Row, settle } from "../lib/measure.js";

const MB = 1e6;

/** Bulk output through the recorder: `total` bytes in 32 KiB writes from the server, honouring 'drain'. */
async function recordBulk(ctx: BenchContext, path: string, total: number): Promise<number> {
  const rec = await createRecorder({ publicKey: ctx.publicKey, path, pty: { term: "xterm", width: 120, height: 40, modes: [] }, overwrite: true });
  const chunk = Buffer.alloc(32 << 10, 0x61);
  for (let done = 0; done < total; done += chunk.length) {
    if (!rec.write("server", chunk)) await once(rec, "drain");
  }
  const s = await rec.close({ status: 0 });
  return s.fileBytes;
}

/** `count` one-byte writes, typed and echoed; returns the seconds the writes and the close took. */
async function recordKeystrokes(ctx: BenchContext, path: string, count: number): Promise<number> {
  const rec = await createRecorder({ publicKey: ctx.publicKey, path, pty: { term: "xterm", width: 120, height: 40, modes: [] }, overwrite: true });
  const key = Buffer.from("x");
  const t = now();
  for (let i = 0; i < count; i++) {
    if (!rec.write(i % 2 === 0 ? "client" : "server", key)) await once(rec, "drain");
  }
  await rec.close({ status: 0 });
  return now() - t;
}

/**
 * recorder: bulk throughput against the bare sealing loop (createCipheriv with HPKE's nonces,
 * 64 KiB blocks, length prefixes, 1 MiB writes) in the same process, alternating, the median pair;
 * and the cost of one 1-byte write (a keystroke), including its share of sealing and the close.
 *
 * @example const rows = await benchRecorder(ctx);
 */
export async function benchRecorder(ctx: BenchContext): Promise<Row[]> {
  const total = Math.min(ctx.config.largeBytes, 256 << 20);
  // The baseline's key and nonce: any HPKE context's; sealing cost does not depend on them.
  const sealer = await (await import("../../lib/crypto/suite.js")).BlockSealer.create(ctx.publicKey);
  const block0 = await sealer.seal(new Uint8Array(1));
  const keys = await captureKeys(ctx.privateKey, sealer.enc, block0);
  const blocks = Math.ceil(total / (64 << 10));
  let fileBytes = 0;
  let baseBytes = 0;
  const m = await medianPairOfAlternating(ctx.config.runs,
    () => { baseBytes = baselineSeal(keys.key, keys.baseNonce, ctx.freshOut("recorder-baseline.bin"), blocks, 64 << 10); },
    async () => { fileBytes = await recordBulk(ctx, ctx.freshOut("recorder.log"), total); });
  const rows = [higherIsBetter("recorder, bulk output", "MB/s", fileBytes / MB / m.cand, baseBytes / MB / m.base, 0.7, `${(total / 2 ** 20).toFixed(0)} MiB in 32 KiB writes; baseline seals 64 KiB blocks; ${m.note}`)];
  const count = Math.min(ctx.config.smallBlocks * 2, 1_000_000);
  let best = Infinity;
  for (let r = 0; r < ctx.config.runs; r++) {
    settle();
    best = Math.min(best, await recordKeystrokes(ctx, ctx.freshOut("keys.log"), count));
  }
  rows.push(atMost("recorder, 1-byte keystroke writes", "us/write", (best / count) * 1e6, 3, `${count} writes incl. sealing and close; best of ${ctx.config.runs}`));
  return rows;
}
