import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openCapture } from "../../../lib/session/open-capture.js";
import { writeDecryptedZip } from "../../../lib/outputs/zip.js";
import type { Packet } from "../../../lib/format/packets.js";
import { fixtureCases, fixtureKey, tempDir } from "../../helpers/fixtures.js";
import { readZip } from "../../helpers/read-zip.js";

const key = fixtureKey();
const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** A deterministic PRNG (mulberry32), so a failing chunk layout can be reproduced from its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function* chunked(bytes: Buffer, sizes: () => number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length;) {
    const n = Math.max(1, Math.min(bytes.length - i, sizes()));
    // A fresh copy each time, as a reused read buffer would be overwritten.
    yield Uint8Array.from(bytes.subarray(i, i + n));
    i += n;
  }
}

const feeds: Array<[string, (b: Buffer) => AsyncIterable<Uint8Array>]> = [
  ["whole", (b) => chunked(b, () => b.length)],
  ["one byte at a time", (b) => chunked(b, () => 1)],
  ["random chunks (seed 7)", (b) => { const r = rng(7); return chunked(b, () => 1 + Math.floor(r() * 300)); }],
  ["random chunks (seed 1234)", (b) => { const r = rng(1234); return chunked(b, () => 1 + Math.floor(r() * 5000)); }],
];

describe.each(fixtureCases())("fixture $name", (fx) => {
  const bytes = readFileSync(fx.log);
  it.each(feeds)("decrypts to the expected entries byte for byte, fed %s", async (_label, feed) => {
    const session = await openCapture(fx.log, { privateKey: key, source: feed(bytes) });
    const out = join(tmp.dir, `${fx.name}-${_label.replace(/\W+/g, "_")}.zip`);
    const r = await writeDecryptedZip(session, out);
    expect(r.outcome.error).toBeNull();
    expect(r.outcome.complete).toBe(true);
    const zip = await readZip(out);
    expect([...zip.keys()].sort()).toEqual([...fx.expected.keys()].sort());
    for (const [name, want] of fx.expected) {
      const got = zip.get(name)!;
      expect(got.data.equals(want), `${name} differs`).toBe(true);
      expect(got.mode).toBe(0o755);
      expect(got.method).toBe(0); // stored
    }
  });

  it("reads the same packets through a real file in small reads", async () => {
    const whole: Packet[] = [];
    for await (const ev of (await openCapture(fx.log, { privateKey: key })).events()) whole.push({ ...ev, data: Buffer.from(ev.data) });
    const small: Packet[] = [];
    for await (const ev of (await openCapture(fx.log, { privateKey: key, chunkBytes: 7 })).events()) small.push({ ...ev, data: Buffer.from(ev.data) });
    expect(small).toEqual(whole);
    expect(whole.length).toBeGreaterThan(0);
  });
});

it("the default output name is <input>-decrypted.zip and no temporary file is left beside it", async () => {
  const fx = fixtureCases()[0]!;
  const out = join(tmp.dir, "named.log-decrypted.zip");
  await writeDecryptedZip(await openCapture(fx.log, { privateKey: key }), out);
  expect(existsSync(out)).toBe(true);
  const { readdirSync } = await import("node:fs");
  expect(readdirSync(tmp.dir).filter((f) => f.startsWith("."))).toEqual([]);
});
