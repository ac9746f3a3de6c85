import { join } from "node:path";
import { openCaptureFile } from "../../lib/session/open-capture-file.js";
import { writeDecryptedZip } from "../../lib/outputs/zip.js";
import { baselineDecrypt, hpkeJsDecrypt } from "../lib/baseline.js";
import type { BenchContext } from "../lib/context.js";
import type { CaptureStats } from "../lib/gen-capture.js";
import { atMost, higherIsBetter, medianPairOfAlternating, info, now, type Row, settle, spawnWithPeakRss } from "../lib/measure.js";
import { ROOT } from "../lib/context.js";

const MB = 1e6;

/** Seconds `fn` takes. */
async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = now();
  await fn();
  return now() - t;
}

/**
 * The library path of `ssh-log decrypt`: open the capture with the key file, write the zip.
 *
 * @example await candidateDecrypt(".bench/large.log", ".bench/sshkey", "/tmp/out.zip");
 */
export async function candidateDecrypt(log: string, keyPath: string, out: string): Promise<void> {
  const session = await openCaptureFile(log, keyPath);
  const r = await writeDecryptedZip(session, out);
  if (r.outcome.error) throw r.outcome.error;
}

/**
 * A large-block capture: bulk output (1..32 KiB packets, mostly from the server) in 64 KiB blocks.
 *
 * @example const { path, blocks } = await largeCapture(ctx);
 */
export async function largeCapture(ctx: BenchContext): Promise<CaptureStats> {
  const bytes = ctx.config.largeBytes;
  return ctx.capture(`large-${bytes}`, "v3", {
    dataBytes: bytes,
    blockBytes: 64 << 10,
    packetData: (i) => 1024 + ((i * 2654435761) >>> 0) % (31 << 10),
    source: (i) => (i % 16 === 0 ? 0 : 1),
    gapMicros: (i) => 200 + (i % 7) * 1000,
    blockPerPacket: false,
    pty: true,
  });
}

/**
 * A small-block capture: one block per keystroke-sized packet (1..60 bytes), typed and echoed.
 *
 * @example const { path, blocks } = await smallCapture(ctx);
 */
export async function smallCapture(ctx: BenchContext): Promise<CaptureStats> {
  const blocks = ctx.config.smallBlocks;
  return ctx.capture(`small-${blocks}`, "v3", {
    dataBytes: Number.POSITIVE_INFINITY,
    blockBytes: 64 << 10,
    packetData: (i) => (i % 2 === 0 ? 1 : 1 + ((i * 40503) % 60)),
    source: (i) => (i % 2 === 0 ? 0 : 1),
    gapMicros: (i) => 20_000 + ((i * 7919) % 250_000),
    blockPerPacket: true,
    pty: true,
    maxPackets: blocks,
  });
}

/**
 * decrypt, large blocks: throughput of file -> zip against the bare baseline (same process,
 * alternating, the median pair of `runs`), and the peak RSS of the real CLI on the same file (a child process).
 *
 * @example const rows = await benchDecryptLarge(ctx);
 */
export async function benchDecryptLarge(ctx: BenchContext): Promise<Row[]> {
  const cap = await largeCapture(ctx);
  const { base: tBase, cand: tCand, note } = await medianPairOfAlternating(ctx.config.runs,
    () => baselineDecrypt(cap.path, ctx.privateKey, ctx.freshOut("large-baseline.bin")),
    () => candidateDecrypt(cap.path, ctx.keyPath, ctx.freshOut("large.zip")));
  const mb = cap.fileBytes / MB;
  const rows = [higherIsBetter("decrypt, 64 KiB blocks", "MB/s", mb / tCand, mb / tBase, 0.8, `${(cap.fileBytes / 2 ** 20).toFixed(0)} MiB, ${cap.blocks} blocks, ${note}`)];
  settle();
  rows.push(info("(hpke-js default AEAD, bare loop)", "MB/s", mb / (await timed(() => hpkeJsDecrypt(cap.path, ctx.privateKey, ctx.freshOut("large-hpke-js.bin")))), mb / tBase, "@hpke/core + @hpke/chacha20poly1305, one run; ratio against the native baseline"));
  settle();
  const hwm = ctx.out("hwm.txt");
  const zip = ctx.freshOut("large-cli.zip");
  const r = spawnWithPeakRss([join(ROOT, "bin/ssh-log.js"), "decrypt", "-i", ctx.keyPath, "-l", cap.path, "-o", zip], hwm, join(ROOT, "dist/bench/hwm-hook.js"));
  if (r.status !== 0) throw new Error(`ssh-log decrypt failed in the RSS run: ${r.stderr}`);
  rows.push(atMost("decrypt, peak RSS (CLI child, VmHWM)", "MB", r.peakRss / MB, 200, `ssh-log decrypt on the same file, ${(mb / r.seconds).toFixed(0)} MB/s incl. start-up`));
  return rows;
}

/**
 * decrypt, small blocks: blocks per second of file -> zip against the same baseline.
 *
 * @example const rows = await benchDecryptSmall(ctx);
 */
export async function benchDecryptSmall(ctx: BenchContext): Promise<Row[]> {
  const cap = await smallCapture(ctx);
  const { base: tBase, cand: tCand, note } = await medianPairOfAlternating(ctx.config.runs,
    () => baselineDecrypt(cap.path, ctx.privateKey, ctx.freshOut("small-baseline.bin")),
    () => candidateDecrypt(cap.path, ctx.keyPath, ctx.freshOut("small.zip")));
  settle();
  const tJs = await timed(() => hpkeJsDecrypt(cap.path, ctx.privateKey, ctx.freshOut("small-hpke-js.bin")));
  return [
    higherIsBetter("decrypt, 1 block per keystroke", "blocks/s", cap.blocks / tCand, cap.blocks / tBase, 0.8, `${cap.blocks} blocks of 18..77 bytes, ${note}`),
    info("(hpke-js default AEAD, bare loop)", "blocks/s", cap.blocks / tJs, cap.blocks / tBase, "@hpke/core + @hpke/chacha20poly1305, one run; ratio against the native baseline"),
  ];
}
