// `npm run bench`: generates its inputs, runs each target against its baseline in this process,
// prints a table of figures and ratios, and exits 1 when any target is missed. Not part of npm test.
import { rmSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { BenchContext, type BenchConfig, ROOT } from "./lib/context.js";
import type { Row } from "./lib/measure.js";
import { benchDecryptLarge, benchDecryptSmall } from "./targets/decrypt.js";
import { benchStartup } from "./targets/startup.js";
import { benchRecorder } from "./targets/recorder.js";
import { benchIngest } from "./targets/ingest.js";
import { benchReplay } from "./targets/replay.js";

type Target = { name: string; run: (ctx: BenchContext) => Promise<Row[]> };

const TARGETS: Target[] = [
  { name: "decrypt-large", run: benchDecryptLarge },
  { name: "decrypt-small", run: benchDecryptSmall },
  { name: "recorder", run: benchRecorder },
  { name: "ingest", run: benchIngest },
  { name: "replay", run: benchReplay },
  { name: "startup", run: benchStartup },
];

const USAGE = `usage: npm run bench -- [--size BYTES] [--small-blocks N] [--runs N] [--only NAME,...] [--dir DIR] [--clean]
  --size          packet data in the large-block capture: 64M (default), 1G, ... (env SSH_LOG_BENCH_SIZE)
  --small-blocks  blocks in the one-block-per-keystroke capture, and Logpush rows (default 200000; env SSH_LOG_BENCH_SMALL_BLOCKS)
  --replay-size   output in the replayed session (default 100M; env SSH_LOG_BENCH_REPLAY_SIZE)
  --runs          repetitions of each timed measurement (default 5): the median pair for the alternating targets, the best for start-up and keystrokes
  --only          run only these targets: ${TARGETS.map((t) => t.name).join(", ")}
  --dir           where inputs are generated and kept between runs (default .bench/)
  --clean         delete the generated inputs when done`;

/**
 * Parses "64M", "1G", "1073741824", "512k" into bytes (binary units).
 *
 * @example parseSize("1G") === 1073741824
 */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(text.trim());
  if (!m) throw new Error(`not a size: ${text} (try 64M or 1G)`);
  const mult = { "": 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }[m[2]!.toLowerCase() as "" | "k" | "m" | "g" | "t"];
  return Math.round(Number(m[1]) * mult);
}

function parseArgs(argv: string[]): BenchConfig & { clean: boolean } {
  const config = {
    largeBytes: parseSize(process.env.SSH_LOG_BENCH_SIZE ?? "64M"),
    smallBlocks: Number(process.env.SSH_LOG_BENCH_SMALL_BLOCKS ?? 200_000),
    replayBytes: parseSize(process.env.SSH_LOG_BENCH_REPLAY_SIZE ?? "100M"),
    runs: 5,
    only: [] as string[],
    dir: join(ROOT, ".bench"),
    clean: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === "--size") config.largeBytes = parseSize(value());
    else if (a === "--small-blocks") config.smallBlocks = Number(value());
    else if (a === "--replay-size") config.replayBytes = parseSize(value());
    else if (a === "--runs") config.runs = Number(value());
    else if (a === "--only") config.only = value().split(",");
    else if (a === "--dir") config.dir = value();
    else if (a === "--clean") config.clean = true;
    else if (a === "--help" || a === "-h") { process.stdout.write(`${USAGE}\n`); process.exit(0); }
    else throw new Error(`unknown option ${a}\n${USAGE}`);
  }
  for (const n of [config.largeBytes, config.smallBlocks, config.replayBytes, config.runs]) {
    if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`sizes and counts must be positive integers\n${USAGE}`);
  }
  const unknown = config.only.filter((n) => !TARGETS.some((t) => t.name === n));
  if (unknown.length > 0) throw new Error(`unknown target ${unknown.join(", ")}\n${USAGE}`);
  return config;
}

function fmt(x: number): string {
  if (Number.isNaN(x)) return "-";
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

/**
 * The table, as Markdown (BENCHMARKS.md takes it as printed).
 *
 * @example process.stdout.write(table(rows));
 */
export function table(rows: Row[]): string {
  const lines = [
    "| target | unit | ssh-log | baseline | ratio | goal | result | notes |",
    "|---|---|---:|---:|---:|---|---|---|",
  ];
  for (const r of rows) {
    const goal = r.kind === "info" ? "(info)" : Number.isNaN(r.baseline) ? `<= ${r.goal} ${r.unit}` : `${r.kind} ${r.goal}x`;
    const ratio = Number.isNaN(r.ratio) ? "-" : `${r.ratio.toFixed(2)}x`;
    lines.push(`| ${r.target} | ${r.unit} | ${fmt(r.candidate)} | ${fmt(r.baseline)} | ${ratio} | ${goal} | ${r.kind === "info" ? "-" : r.pass ? "met" : "MISSED"} | ${r.note} |`);
  }
  return lines.join("\n");
}

async function main(): Promise<number> {
  const config = parseArgs(process.argv.slice(2));
  const ctx = new BenchContext(config);
  await ctx.init();
  ctx.clearRuns();
  const cpu = cpus();
  process.stdout.write(`ssh-log bench: ${cpu.length} x ${cpu[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ${process.platform}/${process.arch}\n`);
  process.stdout.write(`large capture ${(config.largeBytes / 2 ** 20).toFixed(0)} MiB of data, small capture ${config.smallBlocks} blocks, ${config.runs} runs of each side\n\n`);
  const rows: Row[] = [];
  const selected = TARGETS.filter((t) => config.only.length === 0 || config.only.includes(t.name));
  try {
    for (const t of selected) {
      process.stderr.write(`bench: ${t.name} ...\n`);
      const got = await t.run(ctx);
      rows.push(...got);
      for (const r of got) process.stderr.write(`  ${r.target}: ${fmt(r.candidate)} ${r.unit} vs ${fmt(r.baseline)} -> ${r.pass ? "met" : "MISSED"}\n`);
    }
  } finally {
    // Outputs of timed runs are removed only now: deleting a large file slows the next writer.
    ctx.clearRuns();
    if (config.clean) rmSync(config.dir, { recursive: true, force: true });
  }
  process.stdout.write(`${table(rows)}\n\n`);
  const judged = rows.filter((r) => r.kind !== "info");
  const missed = judged.filter((r) => !r.pass);
  process.stdout.write(missed.length === 0 ? `every target met (${judged.length})\n` : `${missed.length} of ${judged.length} targets MISSED: ${missed.map((r) => r.target).join("; ")}\n`);
  return missed.length === 0 ? 0 : 1;
}

main().then((code) => { process.exitCode = code; }, (err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? (process.env.SSH_LOG_BENCH_DEBUG ? err.stack : err.message) : String(err)}\n`);
  process.exitCode = 2;
});
