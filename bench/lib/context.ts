import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateKeyPair } from "../../lib/crypto/suite.js";
import { decodeKeyText, encodeKeyText } from "../../lib/crypto/keys.js";
import { type CaptureSpec, type CaptureStats, generateCapture } from "./gen-capture.js";

/** The repository root (dist/bench/lib/ -> ../../..). */
export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** Settings of one bench run, from the command line and the environment. */
export interface BenchConfig {
  /** Bytes of packet data in the large-block capture. */
  largeBytes: number;
  /** Blocks (one packet each) in the small-block capture. */
  smallBlocks: number;
  /** Bytes of output in the replayed session. */
  replayBytes: number;
  /** Repetitions of each timed measurement (the best is kept). */
  runs: number;
  /** Targets to run (all when empty). */
  only: string[];
  /** Where inputs and outputs go. */
  dir: string;
}

/**
 * Shared state of a run: the folder, the key pair, and the inputs made so far.
 *
 * @example const ctx = new BenchContext(config); await ctx.init(); const cap = await ctx.capture("x", "v1", spec);
 */
export class BenchContext {
  readonly keyPath: string;
  privateKey!: Uint8Array;
  publicKey!: Uint8Array;

  constructor(readonly config: BenchConfig) {
    this.keyPath = join(config.dir, "sshkey");
  }

  /** Makes the folder and the key pair (kept across runs, so inputs can be reused). */
  async init(): Promise<void> {
    mkdirSync(this.config.dir, { recursive: true });
    if (existsSync(this.keyPath) && existsSync(`${this.keyPath}.pub`)) {
      this.privateKey = decodeKeyText(readFileSync(this.keyPath, "latin1"))!;
      this.publicKey = decodeKeyText(readFileSync(`${this.keyPath}.pub`, "latin1"))!;
      return;
    }
    const pair = await generateKeyPair();
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
    writeFileSync(this.keyPath, encodeKeyText(pair.privateKey));
    chmodSync(this.keyPath, 0o600);
    writeFileSync(`${this.keyPath}.pub`, encodeKeyText(pair.publicKey));
    // Inputs sealed to an older key are useless now.
    for (const f of ["large", "small"]) rmSync(join(this.config.dir, f), { recursive: true, force: true });
  }

  /**
   * A capture named `name` for `spec`, generated once and reused by later runs while its
   * description (stored beside it) matches.
   */
  async capture(name: string, version: string, spec: CaptureSpec): Promise<CaptureStats> {
    const path = join(this.config.dir, `${name}.log`);
    const statsPath = `${path}.json`;
    if (existsSync(path) && existsSync(statsPath)) {
      const saved = JSON.parse(readFileSync(statsPath, "utf8")) as CaptureStats & { version: string };
      if (saved.version === version) return saved;
    }
    process.stderr.write(`bench: generating ${name} (${version}) ...\n`);
    const stats = await generateCapture(path, this.publicKey, spec);
    writeFileSync(statsPath, JSON.stringify({ ...stats, version }));
    return stats;
  }

  /** A path for an output in the bench folder. */
  out(name: string): string {
    return join(this.config.dir, name);
  }

  private fresh = 0;

  /**
   * A new output path that no earlier run used (in .bench/runs/): a timed run never replaces or
   * follows the deletion of a large file, which on this ext4 (mounted with `discard`) costs the
   * next writer seconds of system time. run.ts removes them all with `clearRuns()` at the end.
   */
  freshOut(name: string): string {
    const dir = join(this.config.dir, "runs");
    mkdirSync(dir, { recursive: true });
    return join(dir, `${++this.fresh}-${name}`);
  }

  /** Removes every `freshOut` path. */
  clearRuns(): void {
    rmSync(join(this.config.dir, "runs"), { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }
}
