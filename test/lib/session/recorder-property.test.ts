import { join } from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { generateKeyPair } from "../../../lib/crypto/suite.js";
import { openCapture } from "../../../lib/session/open-capture.js";
import { createRecorder } from "../../../lib/session/recorder.js";
import { tempDir } from "../../helpers/fixtures.js";
import { readRecording } from "../../helpers/read-recording.js";
import { referenceDecode } from "../../helpers/reference-decode.js";

let keys: { privateKey: Uint8Array; publicKey: Uint8Array };
beforeAll(async () => { keys = await generateKeyPair(); });

type Op =
  | { kind: "write"; source: 0 | 1; stderr: boolean; data: Uint8Array; advanceMs: number }
  | { kind: "flush" };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 10, arbitrary: fc.record({
    kind: fc.constant("write" as const),
    source: fc.constantFrom(0 as const, 1 as const),
    stderr: fc.boolean(),
    // Mostly small (keystrokes), sometimes larger than a block.
    // size "max": fast-check otherwise keeps generated arrays short, and big writes would never happen.
    data: fc.oneof(
      { weight: 8, arbitrary: fc.uint8Array({ minLength: 0, maxLength: 40, size: "max" }) },
      { weight: 2, arbitrary: fc.uint8Array({ minLength: 0, maxLength: 3000, size: "max" }) },
      { weight: 1, arbitrary: fc.uint8Array({ minLength: 0, maxLength: 25_000, size: "max" }) },
    ),
    // The clock sometimes goes backwards.
    advanceMs: fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: -2000, max: 0 }), fc.double({ min: 0, max: 2, noNaN: true })),
  }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("flush" as const) }) },
);

describe("recorder property", () => {
  it("any sequence of writes, flushes and clock moves decrypts back to the same packets, within the writer rules", async () => {
    const tmp = tempDir();
    let n = 0;
    try {
      await fc.assert(fc.asyncProperty(
        fc.array(op, { maxLength: 60, size: "max" }),
        // Up to and past the recorder's initial 4 KiB buffer, so growing it is exercised too.
        fc.integer({ min: 64, max: 20_000 }),
        fc.boolean(),
        async (ops, maxBlockBytes, withPty) => {
          const path = join(tmp.dir, `p${n++}.log`);
          const start = Date.UTC(2026, 0, 1);
          let now = start;
          const rec = await createRecorder({
            publicKey: keys.publicKey, path, startedAt: new Date(start), clock: () => now, maxBlockBytes, flushIntervalMs: 60_000,
            pty: withPty ? { term: "xterm", width: 80, height: 24, modes: [["ECHO", 1]] } : null,
          });
          // Each non-empty write must come back as one or more non-empty packets in order, with its
          // source, code and (clamped) time, whose data concatenates to exactly what was written.
          const writes: Array<{ source: number; code: number; t: number; data: Buffer }> = [];
          let last = 0;
          for (const o of ops) {
            if (o.kind === "flush") { await rec.flush(); continue; }
            now += o.advanceMs;
            rec.write(o.source === 0 ? "client" : "server", o.data, { stderr: o.stderr });
            if (o.data.length === 0) continue;
            last = Math.max(last, Math.round((now - start) * 1000));
            writes.push({ source: o.source, code: o.stderr ? 1 : 0, t: last, data: Buffer.from(o.data) });
          }
          await rec.close({ status: 0 });
          const r = await readRecording(path, keys.privateKey);
          expect(r.violations).toEqual([]);
          expect(r.trailingBytes).toBe(0);
          for (const size of r.blockSizes) expect(size).toBeLessThanOrEqual(maxBlockBytes);
          let i = 0;
          for (const w of writes) {
            const parts: Buffer[] = [];
            let got = 0;
            while (got < w.data.length) {
              const p = r.packets[i++];
              expect(p, "a write is missing from the recording").toBeDefined();
              expect([p!.source, p!.code, p!.elapsedMicros]).toEqual([w.source, w.code, w.t]);
              expect(p!.data.length).toBeGreaterThan(0);
              parts.push(Buffer.from(p!.data));
              got += p!.data.length;
            }
            expect(Buffer.concat(parts).equals(w.data)).toBe(true);
          }
          expect(i).toBe(r.packets.length);
          // ssh-log-cli's reader (emulated) sees exactly the same packets.
          const ref = await referenceDecode(path, keys.privateKey);
          expect(ref.length).toBe(r.packets.length);
          ref.forEach((p, k) => {
            const q = r.packets[k]!;
            expect([p.source, p.code, p.elapsedMicros]).toEqual([q.source, q.code, q.elapsedMicros]);
            expect(Buffer.from(p.data).equals(Buffer.from(q.data))).toBe(true);
          });
          // And through the library's streaming reader, strict: complete, nothing left over.
          const s = await openCapture(path, { privateKey: keys.privateKey, mode: "strict", chunkBytes: 97 });
          let count = 0;
          for await (const _ of s.events()) count++;
          expect(count).toBe(r.packets.length);
          expect(s.outcome.complete).toBe(true);
        },
      ), { numRuns: 100 });
    } finally {
      tmp.cleanup();
    }
  });
});
