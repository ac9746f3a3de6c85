import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import yauzl from "yauzl";
import { Spool, StoreZipWriter, ZIP_BUFFER_BYTES, dosDateTime } from "../../../lib/outputs/zip-store.js";
import { tempDir } from "../../helpers/fixtures.js";
import { readZip } from "../../helpers/read-zip.js";

const cleanups: Array<() => void> = [];
afterEach(() => { while (cleanups.length) cleanups.pop()!(); });
function scratch(): string { const t = tempDir(); cleanups.push(t.cleanup); return t.dir; }

/** Deterministic bytes of every value, so a misplaced buffer shows. */
function bytes(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = seed | 1;
  for (let i = 0; i < n; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; b[i] = x & 0xff; }
  return b;
}

/** Feeds `data` to `write` in pseudo-random piece sizes (1 byte .. 200 KiB). */
async function feed(data: Buffer, write: (b: Uint8Array) => Promise<void> | undefined, seed: number): Promise<void> {
  let x = seed;
  for (let i = 0; i < data.length;) {
    x = (x * 1103515245 + 12345) >>> 0;
    const n = Math.min(data.length - i, x % 7 === 0 ? 1 + (x % 200_000) : 1 + (x % 300));
    const p = write(data.subarray(i, i + n));
    if (p) await p;
    i += n;
  }
}

const DATE = new Date(Date.UTC(2026, 2, 12, 0, 5, 18));

async function writeTwo(path: string, first: Buffer, second: Buffer, spoolPath: string): Promise<Spool> {
  const zip = await StoreZipWriter.create(path);
  const spool = new Spool(spoolPath);
  await zip.begin("term_data.txt", 0o755, DATE);
  // The second entry is produced while the first is written, as writeDecryptedZip does.
  let x = 7;
  for (let i = 0, j = 0; i < first.length || j < second.length;) {
    x = (x * 1103515245 + 12345) >>> 0;
    const a = Math.min(first.length - i, 1 + (x % 5000));
    const b = Math.min(second.length - j, 1 + ((x >>> 8) % 4000));
    let p = zip.write(first.subarray(i, i + a)); if (p) await p;
    p = spool.write(second.subarray(j, j + b)); if (p) await p;
    i += a; j += b;
  }
  await zip.end();
  await zip.begin("term_times.txt", 0o755, DATE);
  await spool.replay((c) => zip.write(c));
  await zip.end();
  await zip.finish();
  await spool.close();
  return spool;
}

function pythonRead(path: string): Record<string, { size: number; sha: string; mode: number; method: number }> {
  const script = `
import hashlib, json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
print(json.dumps({i.filename: {"size": i.file_size, "sha": hashlib.sha256(z.read(i)).hexdigest(), "mode": (i.external_attr >> 16) & 0o7777, "method": i.compress_type} for i in z.infolist()}))
`;
  return JSON.parse(execFileSync("python3", ["-c", script, path], { encoding: "utf8" })) as Record<string, { size: number; sha: string; mode: number; method: number }>;
}

function sha(b: Buffer): string {
  return createHash("sha256").update(b).digest("hex");
}

/** Entry names and sizes as yauzl reads them from the central directory (zip64 included). */
function yauzlSizes(path: string): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const out: Record<string, number> = {};
      zip.on("entry", (e: yauzl.Entry) => { out[e.fileName] = e.uncompressedSize; zip.readEntry(); });
      zip.on("end", () => { zip.close(); resolve(out); });
      zip.on("error", reject);
      zip.readEntry();
    });
  });
}

describe("StoreZipWriter", () => {
  it("writes entries spanning many buffers, with a spilled spool, that yauzl, unzip and Python read back identically", async () => {
    const dir = scratch();
    const path = join(dir, "out.zip");
    const first = bytes(3 * ZIP_BUFFER_BYTES + 12345, 1);
    const second = bytes(2 * ZIP_BUFFER_BYTES + 777, 2);
    const spool = await writeTwo(path, first, second, join(dir, "spool"));
    expect(spool.size).toBe(second.length);
    expect(existsSync(join(dir, "spool"))).toBe(true); // it did spill to disk

    const z = await readZip(path);
    expect([...z.keys()]).toEqual(["term_data.txt", "term_times.txt"]);
    expect(z.get("term_data.txt")!.data.equals(first)).toBe(true);
    expect(z.get("term_times.txt")!.data.equals(second)).toBe(true);
    for (const e of z.values()) { expect(e.mode).toBe(0o755); expect(e.method).toBe(0); }

    execFileSync("unzip", ["-tq", path]);
    expect(execFileSync("unzip", ["-p", path, "term_data.txt"], { maxBuffer: 64 << 20 }).equals(first)).toBe(true);
    expect(execFileSync("unzip", ["-p", path, "term_times.txt"], { maxBuffer: 64 << 20 }).equals(second)).toBe(true);

    const py = pythonRead(path);
    expect(py["term_data.txt"]).toEqual({ size: first.length, sha: sha(first), mode: 0o755, method: 0 });
    expect(py["term_times.txt"]).toEqual({ size: second.length, sha: sha(second), mode: 0o755, method: 0 });
  });

  it("keeps a small spool in memory and writes empty entries", async () => {
    const dir = scratch();
    const path = join(dir, "small.zip");
    const spool = await writeTwo(path, Buffer.alloc(0), Buffer.alloc(0), join(dir, "spool"));
    expect(spool.size).toBe(0);
    expect(existsSync(join(dir, "spool"))).toBe(false);
    const z = await readZip(path);
    expect(z.get("term_data.txt")!.data.length).toBe(0);
    expect(z.get("term_times.txt")!.data.length).toBe(0);
    execFileSync("unzip", ["-tq", path]);
    expect(pythonRead(path)["term_times.txt"]!.size).toBe(0);
  });

  it("feeds pieces of every size, from one byte to more than a buffer, in order", async () => {
    const dir = scratch();
    const path = join(dir, "pieces.zip");
    const data = bytes(ZIP_BUFFER_BYTES * 2 + 3, 3);
    const zip = await StoreZipWriter.create(path);
    await zip.begin("data_from_client.txt", 0o755, DATE);
    await feed(data, (b) => zip.write(b), 11);
    await zip.end();
    await zip.begin("data_from_server.txt", 0o755, DATE);
    const big = bytes(ZIP_BUFFER_BYTES * 3, 4);
    await zip.write(big); // one write larger than both buffers
    await zip.end();
    await zip.finish();
    const z = await readZip(path);
    expect(z.get("data_from_client.txt")!.data.equals(data)).toBe(true);
    expect(z.get("data_from_server.txt")!.data.equals(big)).toBe(true);
    execFileSync("unzip", ["-tq", path]);
  });

  it("stores the session start as a UTC DOS time, as archiver did", () => {
    // 2026-03-12 00:05:18 UTC
    expect(dosDateTime(DATE)).toBe(((2026 - 1980) << 25) | (3 << 21) | (12 << 16) | (0 << 11) | (5 << 5) | 9);
    expect(dosDateTime(new Date(0))).toBe(2162688);
  });

  it("switches to zip64 past 4 GiB, and unzip, Python and yauzl agree on the size", async () => {
    const dir = scratch();
    const path = join(dir, "big.zip");
    const zip = await StoreZipWriter.create(path);
    await zip.begin("data_from_client.txt", 0o755, DATE);
    const chunk = Buffer.alloc(4 << 20, 0x61);
    const size = 2 ** 32 + 5;
    let left = size;
    while (left > 0) { const n = Math.min(left, chunk.length); const p = zip.write(chunk.subarray(0, n)); if (p) await p; left -= n; }
    await zip.end();
    await zip.begin("data_from_server.txt", 0o755, DATE);
    await zip.write(Buffer.from("tail"));
    await zip.end();
    await zip.finish();
    expect(statSync(path).size).toBeGreaterThan(size);
    const py = JSON.parse(execFileSync("python3", ["-c", `
import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
print(json.dumps({i.filename: [i.file_size, i.header_offset, i.CRC] for i in z.infolist()}))
print(z.read("data_from_server.txt").decode())
`, path], { encoding: "utf8" }).split("\n")[0]!) as Record<string, number[]>;
    expect(py["data_from_client.txt"]![0]).toBe(size);
    expect(py["data_from_server.txt"]![0]).toBe(4);
    expect(py["data_from_server.txt"]![1]).toBeGreaterThan(2 ** 32);
    expect(execFileSync("unzip", ["-p", path, "data_from_server.txt"]).toString()).toBe("tail");
    const listing = execFileSync("unzip", ["-Zl", path], { encoding: "utf8" });
    expect(listing).toContain(String(size));
    expect(await yauzlSizes(path)).toEqual({ "data_from_client.txt": size, "data_from_server.txt": 4 });
  }, 120_000);
});
