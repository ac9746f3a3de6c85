import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync, gzipSync } from "node:zlib";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exitCodeFor } from "../../cli/handle-error.js";
import { detectInput } from "../../lib/audit/detect.js";
import { runCli } from "../helpers/run-cli.js";
import { SESSIONS_DIR, tempDirWithKey } from "../helpers/fixtures.js";
import { expectTyped, fuzzParams, fuzzTimeout } from "./fuzz-config.js";

/**
 * The audit side, fuzzed: input detection on arbitrary file heads, and `ssh-log index` on folders
 * of damaged Logpush exports (gzipped or not), captures, zips and .cast files. Indexing must name
 * and skip what it cannot read (exiting with the worst file's code), never fail with an internal
 * error, and leave a database that still answers queries.
 */
const LOGPUSH = fileURLToPath(new URL("../../fixtures/logpush/", import.meta.url));
const firstFile = (dir: string): string => join(dir, readdirSync(dir).sort()[0]!);
const SSH_LOGS = gunzipSync(readFileSync(firstFile(firstFile(join(LOGPUSH, "ssh_logs")))));
const ACCESS = gunzipSync(readFileSync(firstFile(firstFile(join(LOGPUSH, "access_requests")))));
const CAST = readFileSync(fileURLToPath(new URL("../../fixtures/terminal/sudo.cast", import.meta.url)));
const CAPTURE = readFileSync(join(SESSIONS_DIR, "pty-exit-status.log"));

let env: ReturnType<typeof tempDirWithKey>;
let n = 0;
beforeAll(() => { env = tempDirWithKey(); });
afterAll(() => env.cleanup());

const damage = fc.array(fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), bytes: fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 20 }), fc.constantFrom("\n", "{", "}", '"', "\\", ",", "null", '"Payload":1,').map((s) => Buffer.from(s))) }),
), { maxLength: 4 });
type Damage = typeof damage extends fc.Arbitrary<infer T> ? T : never;
function apply(src: Buffer, ds: Damage): Buffer {
  let b = Buffer.from(src);
  for (const d of ds) {
    if (b.length === 0) break;
    if (d.kind === "flip") { const i = d.at % b.length; b[i] = b[i]! ^ (1 << d.bit); }
    else if (d.kind === "cut") b = b.subarray(0, d.at % (b.length + 1));
    else { const i = d.at % (b.length + 1); b = Buffer.concat([b.subarray(0, i), d.bytes, b.subarray(i)]); }
  }
  return b;
}

describe("fuzz: audit inputs", () => {
  it("detectInput on any file head: a kind, or a typed error", async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      damage.map((d) => apply(SSH_LOGS.subarray(0, 4000), d)),
      damage.map((d) => gzipSync(apply(ACCESS.subarray(0, 3000), d))),
      damage.map((d) => apply(gzipSync(SSH_LOGS.subarray(0, 3000)), d)),
    ), async (bytes) => {
      const path = join(env.dir, `d${n++}`);
      writeFileSync(path, bytes);
      try {
        const r = await detectInput(path);
        expect(["logpush", "capture", "zip", "asciicast", "unknown"]).toContain(r.kind);
      } catch (err) {
        expectTyped(err);
      }
    }), fuzzParams(400));
  }, fuzzTimeout(60_000));

  it("ssh-log index on folders of damaged inputs: the worst file's exit code, each bad file named, the database still answers", async () => {
    await fc.assert(fc.asyncProperty(damage, damage, damage, damage, fc.boolean(), async (d1, d2, d3, d4, gz) => {
      const dir = join(env.dir, `in${n++}`);
      mkdirSync(join(dir, "ssh_logs", "20261001"), { recursive: true });
      mkdirSync(join(dir, "access_requests", "20261001"), { recursive: true });
      const sshLogs = apply(SSH_LOGS, d1);
      writeFileSync(join(dir, "ssh_logs", "20261001", gz ? "a.log.gz" : "a.log"), gz ? gzipSync(sshLogs) : sshLogs);
      writeFileSync(join(dir, "access_requests", "20261001", "b.log.gz"), apply(gzipSync(ACCESS), d2));
      writeFileSync(join(dir, "s.cast"), apply(CAST, d3));
      writeFileSync(join(dir, "s.log"), apply(CAPTURE, d4));
      copyFileSync(join(SESSIONS_DIR, "exec-empty-server.log"), join(dir, "good.log"));
      const db = join(env.dir, `audit${n++}.duckdb`);
      const r = await runCli(["index", "-i", env.key, "--db", db, "--no-progress", "--json", dir]);
      // A damaged file gives 3 (cut or altered), 4 (a header altered so that block 0 no longer
      // opens: indistinguishable from a wrong key) or 5 (not a capture any more); never 1.
      expect([0, 3, 4, 5], r.stderr).toContain(r.code);
      expect(r.stderr).not.toContain("ERR_INTERNAL");
      const summary = JSON.parse(r.stdout) as { badFiles: Array<{ path: string; code?: string }>; partial: unknown[] };
      const worst = Math.max(summary.partial.length > 0 ? 3 : 0, ...summary.badFiles.map((f) => (f.code ? exitCodeFor(f.code) : 3)));
      expect(r.code, r.stderr).toBe(worst);
      // The untouched capture always goes in, whatever its neighbours hold.
      const q = await runCli(["query", "--db", db, "--format", "json", "select count(*) as n from recordings"]);
      expect(q.code, q.stderr).toBe(0);
      expect(q.stdout).toMatch(/"n":\s*"?[1-9]/);
    }), fuzzParams(6, 0.005));
  }, fuzzTimeout(120_000));
});
