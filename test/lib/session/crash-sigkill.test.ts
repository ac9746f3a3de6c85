import { spawn } from "node:child_process";
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeKeyText } from "../../../lib/crypto/keys.js";
import { generateKeyPair } from "../../../lib/crypto/suite.js";
import { ErrorCode, SshLogError } from "../../../lib/errors.js";
import { openCapture } from "../../../lib/session/open-capture.js";
import { runCli } from "../../helpers/run-cli.js";
import { tempDir } from "../../helpers/fixtures.js";
import { readZip } from "../../helpers/read-zip.js";

/**
 * Crash safety end to end: a recorder process killed with SIGKILL at random moments (before its
 * first flush, mid-write, mid-flush, during close, after close), many times over. Every capture
 * left behind must decrypt, hold the lines in order with none missing up to the last reported
 * flush, and say "no termination data" unless close() finished.
 */
const CHILD = fileURLToPath(new URL("./crash-child.mjs", import.meta.url));
const BUILT = fileURLToPath(new URL("../../../dist/lib/session/recorder.js", import.meta.url));
const SOURCE = fileURLToPath(new URL("../../../lib/session/recorder.ts", import.meta.url));
const RUNS = Number(process.env.CRASH_RUNS ?? "") || 24;
const BASE_SEED = Number(process.env.CRASH_SEED ?? "") || 20261122;

let keys: { privateKey: Uint8Array; publicKey: Uint8Array };
let tmp: { dir: string; cleanup: () => void };
beforeAll(async () => {
  if (!existsSync(BUILT) || statSync(BUILT).mtimeMs < statSync(SOURCE).mtimeMs) {
    throw new Error(`${BUILT} is missing or older than ${SOURCE}; run npm run build first.`);
  }
  keys = await generateKeyPair();
  tmp = tempDir();
});
afterAll(() => tmp?.cleanup());

interface Killed { lines: string[]; signal: NodeJS.Signals | null }

/**
 * Runs the child and SIGKILLs it `afterMs` after it starts or, with `fromCreated`, `afterMs`
 * after it reports its header on disk (so most kills land inside the session, not in node's start-up).
 */
function runAndKill(path: string, seed: number, afterMs: number, fromCreated: boolean): Promise<Killed> {
  const child = spawn(process.execPath, [CHILD, BUILT, path, encodeKeyText(keys.publicKey), String(seed)], { stdio: ["ignore", "pipe", "inherit"] });
  const lines: string[] = [];
  let rest = "";
  let timer: NodeJS.Timeout | null = fromCreated ? null : setTimeout(() => child.kill("SIGKILL"), afterMs);
  const guard = setTimeout(() => child.kill("SIGKILL"), 20_000);
  child.stdout.on("data", (d: Buffer) => {
    const parts = (rest + d.toString()).split("\n");
    rest = parts.pop()!;
    lines.push(...parts);
    if (timer === null && lines.includes("created")) timer = setTimeout(() => child.kill("SIGKILL"), afterMs);
  });
  return new Promise((resolve) => child.on("close", (_code, signal) => {
    if (timer) clearTimeout(timer);
    clearTimeout(guard);
    resolve({ lines, signal });
  }));
}

/** What the child said was safely on disk when it died. */
function progress(lines: string[]): { created: boolean; flushed: number; closing: number | null; closed: boolean } {
  let flushed = 0;
  let closing: number | null = null;
  for (const l of lines) {
    const f = /^flushed (\d+)$/.exec(l);
    if (f) flushed = Number(f[1]);
    const c = /^closing (\d+)$/.exec(l);
    if (c) closing = Number(c[1]);
  }
  return { created: lines.includes("created"), flushed, closing, closed: lines.includes("closed") };
}

describe("SIGKILL at random moments", () => {
  it(`${RUNS} killed recorders: every capture decrypts up to its last flush, in order, with no termination data`, async () => {
    const summary = { runs: 0, noFile: 0, closed: 0, partialCut: 0, lines: 0 };
    for (let i = 0; i < RUNS; i++) {
      const seed = BASE_SEED + i;
      const dir = join(tmp.dir, `run-${i}`);
      mkdirSync(dir);
      const path = join(dir, "s.log");
      // Kill moments from "while starting" to "well into the session", spread by the seed.
      const early = i % 6 === 0;
      const afterMs = early ? 20 + ((seed * 7919) % 150) : [0, 10, 40, 100, 250][i % 5]! + ((seed * 7919) % 97);
      const r = await runAndKill(path, seed, afterMs, !early);
      const ctx = `seed ${seed}, killed ${afterMs} ms after ${early ? "start" : "its header was written"}: ${r.lines.filter((l) => !l.startsWith("flushed")).join("; ")}`;
      expect(r.signal, ctx).toBe("SIGKILL");
      expect(r.lines.filter((l) => l.startsWith("error")), ctx).toEqual([]);
      const p = progress(r.lines);
      summary.runs++;
      if (!existsSync(path)) {
        // Killed before the file was created: nothing was promised yet.
        expect(p.created, ctx).toBe(false);
        summary.noFile++;
        continue;
      }

      // Read the capture with the library: every packet authenticated, lines contiguous from 0.
      let text = "";
      let outcome: { complete: boolean; error: SshLogError | null } | null = null;
      let exit: unknown = "unread";
      try {
        const s = await openCapture(path, { privateKey: keys.privateKey });
        exit = s.info.exit;
        for await (const batch of s.batches()) for (const ev of batch) text += Buffer.from(ev.data).toString("latin1");
        outcome = s.outcome;
      } catch (err) {
        // Only a file killed while createRecorder wrote its header may fail to open at all.
        expect(p.created, `${ctx}: ${String(err)}`).toBe(false);
        expect([ErrorCode.EmptyFile, ErrorCode.Truncated]).toContain((err as SshLogError).code);
        continue;
      }
      const numbers = [...text.matchAll(/line (\d{7}) x*\r\n/g)].map((m) => Number(m[1]));
      expect(numbers, ctx).toEqual(Array.from({ length: numbers.length }, (_, k) => k));
      // Nothing but whole lines, then at most the start of the next one (a line longer than a block
      // is split into several packets, and the kill may fall between their blocks).
      const whole = [...text.matchAll(/line \d{7} x*\r\n/g)].reduce((s, m) => s + m[0].length, 0);
      const tail = text.slice(whole);
      const next = `line ${String(numbers.length).padStart(7, "0")} `;
      expect(next.startsWith(tail) || /^x*\r?$/.test(tail.slice(next.length)) && tail.startsWith(next), `${ctx}: tail ${JSON.stringify(tail)}`).toBe(true);
      expect(numbers.length, ctx).toBeGreaterThanOrEqual(p.flushed);
      summary.lines += numbers.length;
      if (p.closed) {
        summary.closed++;
        expect(outcome!.complete, ctx).toBe(true);
        expect(numbers.length, ctx).toBe(p.closing);
        expect(exit, ctx).toMatchObject({ status: 0 });
      } else {
        // A kill inside a block write leaves a cut after the last whole block; nothing else.
        if (outcome!.error) {
          expect(outcome!.error.code, ctx).toBe(ErrorCode.Truncated);
          summary.partialCut++;
        }
        if (p.closing === null) expect(exit, ctx).toBeNull();
      }

      // And through the CLI, as an auditor would: exit 0 or 3, the zip ends as the header says.
      const out = join(dir, "s.zip");
      writeFileSync(join(dir, "k"), encodeKeyText(keys.privateKey), { mode: 0o600 });
      const r2 = await runCli(["decrypt", "-i", join(dir, "k"), "-l", path, "-o", out]);
      expect([0, 3], `${ctx}: ${r2.stderr}`).toContain(r2.code);
      const td = (await readZip(out)).get("term_data.txt")!.data.toString("latin1");
      if (exit === null) expect(td.endsWith("\nSession has no termination data\n"), ctx).toBe(true);
      else expect(td, ctx).toMatch(/\nScript done on .* \[COMMAND_EXIT_CODE="0"\]\n$/);
    }
    if (process.env.CRASH_STATS) console.log(summary);
    expect(summary.runs).toBe(RUNS);
  }, 120_000);
});
