import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** One row of the bench table: a candidate against its baseline, as a ratio with a goal. */
export interface Row {
  target: string;
  /** What the figures are, e.g. "MB/s" or "blocks/s". */
  unit: string;
  candidate: number;
  baseline: number;
  /** candidate / baseline when higher is better; baseline / candidate when lower is better. */
  ratio: number;
  /** The ratio must be >= goal (or, for limits such as memory, the figure must be <= goal). */
  goal: number;
  /** "info": a figure for comparison, never a miss. ">=": ratio at least goal. "<=": ratio at most goal, or, with no baseline (NaN), the candidate at most goal (an absolute limit such as MB of RSS). */
  kind: ">=" | "<=" | "info";
  pass: boolean;
  note: string;
}

/**
 * A row where higher figures are better: passes when candidate/baseline >= goal.
 *
 * @example higherIsBetter("decrypt", "MB/s", 600, 700, 0.8).pass === true
 */
export function higherIsBetter(target: string, unit: string, candidate: number, baseline: number, goal: number, note = ""): Row {
  const ratio = candidate / baseline;
  return { target, unit, candidate, baseline, ratio, goal, kind: ">=", pass: ratio >= goal, note };
}

/**
 * A row where lower figures are better (times): passes when baseline/candidate >= goal.
 *
 * @example lowerIsBetter("seek", "ms", 10, 8, 0.5).pass === true
 */
export function lowerIsBetter(target: string, unit: string, candidate: number, baseline: number, goal: number, note = ""): Row {
  const ratio = baseline / candidate;
  return { target, unit, candidate, baseline, ratio, goal, kind: ">=", pass: ratio >= goal, note };
}

/**
 * A figure reported for comparison (candidate/baseline shown), never a pass or a miss.
 *
 * @example info("(hpke-js)", "MB/s", 60, 600).kind === "info"
 */
export function info(target: string, unit: string, candidate: number, baseline: number, note = ""): Row {
  return { target, unit, candidate, baseline, ratio: candidate / baseline, goal: Number.NaN, kind: "info", pass: true, note };
}

/**
 * A row for times with a ceiling relative to a baseline: passes when candidate/baseline <= goal.
 *
 * @example timeWithin("--help", "ms", 80, 60, 1.5).pass === true
 */
export function timeWithin(target: string, unit: string, candidate: number, baseline: number, goal: number, note = ""): Row {
  const ratio = candidate / baseline;
  return { target, unit, candidate, baseline, ratio, goal, kind: "<=", pass: ratio <= goal, note };
}

/**
 * A row with an absolute ceiling (e.g. peak RSS): passes when candidate <= limit.
 *
 * @example atMost("peak RSS", "MB", 92, 200).pass === true
 */
export function atMost(target: string, unit: string, candidate: number, limit: number, note = ""): Row {
  return { target, unit, candidate, baseline: Number.NaN, ratio: Number.NaN, goal: limit, kind: "<=", pass: candidate <= limit, note };
}

/**
 * Seconds since an arbitrary point, from the monotonic clock.
 *
 * @example const t = now(); work(); const seconds = now() - t;
 */
export function now(): number {
  return Number(process.hrtime.bigint()) / 1e9;
}

/** The times of one pair of an alternating measurement, and how to cite them. */
export interface Alternated {
  /** Seconds of `a` (the baseline) and of `b` (ssh-log) in the median pair. */
  base: number;
  cand: number;
  /** For a row's notes: "median of N pairs (best A / B s)". */
  note: string;
}

/**
 * Runs `a` and `b` alternately `runs` times (a, b, a, b, ...) and returns the pair (a run of
 * each, side by side in time) whose ratio is the median of the pairs' ratios: its two times give
 * the row's figures and ratio. Pairs, not each side's best or median: on this VM, writing a new
 * file's pages is at times ~2.5x slower than at others, for minutes, for both sides alike (64 MiB:
 * 170 ms, against under 50 ms otherwise). When that state begins or ends within a run of the
 * bench, comparing each side's best, or each side's median, can set a time from one state
 * against a time from the other (a best-of ratio of 0.49x whose other pairs were 0.97x-1.08x; a
 * median ratio of 0.45x whose pairs were 0.76x, 0.78x, 0.45x, 1.13x, 1.13x); the median pair is
 * not moved by one such pair. Each side runs once first, untimed. Before each run, untimed,
 * sync(1) writes out what the previous one left dirty, so that neither side pays for the other's
 * writeback. Each run should write to a new path (BenchContext.freshOut): replacing or deleting
 * a large file makes the next writer pay for it on this disk.
 *
 * @example const { base, cand, note } = await medianPairOfAlternating(5, () => baseline(), () => sshLog());
 */
export async function medianPairOfAlternating(runs: number, a: () => Promise<unknown> | unknown, b: () => Promise<unknown> | unknown): Promise<Alternated> {
  const ta: number[] = [];
  const tb: number[] = [];
  settle();
  await a();
  settle();
  await b();
  for (let r = 0; r < runs; r++) {
    settle();
    let t = now();
    await a();
    ta.push(now() - t);
    settle();
    t = now();
    await b();
    tb.push(now() - t);
  }
  // Every draw on stderr, so a spread (and which side it hit) is visible beside the median pair.
  process.stderr.write(`    runs (s): baseline ${ta.map((x) => x.toFixed(3)).join(" ")} | ssh-log ${tb.map((x) => x.toFixed(3)).join(" ")}\n`);
  // By ssh-log's speed relative to the baseline; of an even number, the slower middle pair.
  const pairs = ta.map((x, i) => [x, tb[i]!] as const).sort((p, q) => q[0] / q[1] - p[0] / p[1]);
  const [base, cand] = pairs[pairs.length >> 1]!;
  const best = `best ${Math.min(...ta).toFixed(3)} / ${Math.min(...tb).toFixed(3)} s`;
  return { base, cand, note: `median of ${runs} pairs (${best})` };
}

/**
 * Flushes every dirty page of the machine (sync(1)); called untimed between runs.
 *
 * @example settle(); const t = now(); await run();
 */
export function settle(): void {
  spawnSync("sync", [], { stdio: "ignore", timeout: 120_000 });
}

/**
 * The median of some numbers.
 *
 * @example median([3, 1, 2]) === 2
 */
export function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Spawns `node args...` with a preload that records the child's peak resident set size
 * (VmHWM from /proc/self/status, read in its 'exit' handler) and returns that peak in bytes and
 * the wall time in seconds.
 *
 * @example const { peakRss } = spawnWithPeakRss(["bin/ssh-log.js", "decrypt", ...], hwmFile)
 */
export function spawnWithPeakRss(args: string[], hwmFile: string, hook: string): { seconds: number; peakRss: number; status: number | null; stderr: string } {
  const t = now();
  const r = spawnSync(process.execPath, ["--import", hook, ...args], {
    env: { ...process.env, SSH_LOG_BENCH_HWM: hwmFile },
    encoding: "utf8",
    timeout: 30 * 60_000,
  });
  const seconds = now() - t;
  const peakRss = Number(readFileSync(hwmFile, "utf8")) * 1024;
  return { seconds, peakRss, status: r.status, stderr: r.stderr };
}

/**
 * Wall time of `node args...` run `runs` times; the best (shortest), in seconds: on a shared
 * machine other work only ever adds time, so the minimum is the steadiest figure.
 *
 * @example timeNode(["-e", "0"], 10)
 */
export function timeNode(args: string[], runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = now();
    const r = spawnSync(process.execPath, args, { stdio: "ignore", timeout: 60_000 });
    times.push(now() - t);
    if (r.status !== 0 && r.status !== null) throw new Error(`node ${args.join(" ")} exited with ${r.status}`);
  }
  return Math.min(...times);
}
