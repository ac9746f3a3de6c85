import fc from "fast-check";
import { SshLogError } from "../../lib/errors.js";

/**
 * How hard the fuzz tests push. `npm test` runs a bounded pass (seconds); `npm run fuzz` sets
 * FUZZ_RUNS (e.g. 20000) for a long pass of the same properties. FUZZ_SEED replays a failure.
 */
export const FUZZ_RUNS = Math.max(1, Number(process.env.FUZZ_RUNS ?? "") || 0);
const LONG = FUZZ_RUNS > 1;

/** fast-check parameters for a property whose default bounded pass makes `quick` runs. */
export function fuzzParams(quick: number, weight = 1): fc.Parameters<unknown> {
  const numRuns = LONG ? Math.max(quick, Math.round(FUZZ_RUNS * weight)) : quick;
  const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
  return { numRuns, ...(seed === undefined ? {} : { seed }), endOnFailure: true };
}

/** Test timeout that grows with the run count (a long run must not be cut by vitest). */
export function fuzzTimeout(quickMs: number): number {
  return LONG ? Math.max(quickMs, FUZZ_RUNS * 50) : quickMs;
}

/** The property every parser shares: it may fail, but only with one of our typed errors. */
export function expectTyped(err: unknown): SshLogError {
  if (!(err instanceof SshLogError)) {
    throw new Error(`expected an SshLogError, got ${err instanceof Error ? `${err.name}: ${err.message}\n${err.stack}` : String(err)}`);
  }
  return err;
}

/** Splits `bytes` at the given cut points (fast-check picks them): chunking must never matter. */
export function chunkAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % (bytes.length + 1))))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) {
    if (p > prev) out.push(bytes.subarray(prev, p));
    prev = Math.max(prev, p);
  }
  if (prev < bytes.length || out.length === 0) out.push(bytes.subarray(prev));
  return out;
}

/**
 * An async iterable over chunks, each copied into ONE reused buffer as readChunks does, which is
 * then scribbled over: a reader that keeps a view of a chunk past the next read is caught.
 */
export async function* asSource(chunks: Uint8Array[]): AsyncIterable<Uint8Array> {
  const buf = new Uint8Array(Math.max(1, ...chunks.map((c) => c.length)));
  for (const c of chunks) {
    buf.set(c);
    yield buf.subarray(0, c.length);
    buf.fill(0xa5);
  }
}
