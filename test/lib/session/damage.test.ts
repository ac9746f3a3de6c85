import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { openCapture } from "../../../lib/session/open-capture.js";
import { generateKeyPair } from "../../../lib/crypto/suite.js";
import { SshLogError } from "../../../lib/errors.js";
import type { Packet } from "../../../lib/format/packets.js";
import type { Session } from "../../../lib/session/model.js";
import { fixtureCases, fixtureKey } from "../../helpers/fixtures.js";
import { makeCapture, pkt } from "../../helpers/make-capture.js";

const key = fixtureKey();

async function* once(b: Uint8Array): AsyncIterable<Uint8Array> { yield b; }

/** Reads a damaged capture leniently: the packets that came out and the outcome (or the open error). */
async function readAll(bytes: Uint8Array, privateKey = key): Promise<{ packets: Packet[]; error: string | null; complete: boolean; openError?: SshLogError }> {
  let s: Session;
  try {
    s = await openCapture("t.log", { privateKey, source: once(bytes) });
  } catch (err) {
    if (!(err instanceof SshLogError)) throw err;
    return { packets: [], error: err.code, complete: false, openError: err };
  }
  const packets: Packet[] = [];
  for await (const ev of s.events()) packets.push({ ...ev, data: Buffer.from(ev.data) });
  return { packets, error: s.outcome.error?.code ?? null, complete: s.outcome.complete };
}

const pub = readFileSync(new URL("../../../fixtures/sessions/sshkey.pub", import.meta.url), "latin1").trim();
const pubBytes = Uint8Array.from(Buffer.from(pub, "base64"));
const packets = Array.from({ length: 12 }, (_, i) => pkt((i % 3 === 0 ? 0 : 1) as 0 | 1, 1000 * i, `packet ${i} ${"x".repeat(i * 3)}`));

describe("cuts", async () => {
  const { bytes, blockOffsets, headerBytes } = await makeCapture({ publicKey: pubBytes, packets, layout: "per-packet", pty: { term: "xterm", width: 80, height: 24, modes: [] } });

  it("a cut at each block boundary keeps exactly the blocks before it and reports truncation (data_size)", async () => {
    for (let b = 1; b < blockOffsets.length; b++) {
      const r = await readAll(bytes.subarray(0, blockOffsets[b]));
      expect(r.packets).toEqual(packets.slice(0, b));
      expect(r.error).toBe("ERR_TRUNCATED");
    }
  });

  it("a cut at the boundary with no data_size declared cannot be told from a complete file (the format's limit)", async () => {
    const undeclared = await makeCapture({ publicKey: pubBytes, packets, layout: "per-packet", dataSize: 0 });
    const r = await readAll(undeclared.bytes.subarray(0, undeclared.blockOffsets[5]));
    expect(r.packets).toEqual(packets.slice(0, 5));
    expect(r.complete).toBe(true);
  });

  it("a cut inside each block (length prefix or body) keeps the blocks before it and says how much is missing", async () => {
    for (let b = 0; b < blockOffsets.length; b++) {
      const end = b + 1 < blockOffsets.length ? blockOffsets[b + 1]! : bytes.length;
      for (const at of [blockOffsets[b]! + 1, blockOffsets[b]! + 3, blockOffsets[b]! + 4, blockOffsets[b]! + 20, end - 1]) {
        if (at >= end) continue;
        const r = await readAll(bytes.subarray(0, at));
        if (b === 0) {
          // Nothing authenticated: the cut is reported at open or as the outcome, and no packet comes out.
          expect(r.packets).toEqual([]);
        } else {
          expect(r.packets).toEqual(packets.slice(0, b));
        }
        expect(r.error).toBe("ERR_TRUNCATED");
      }
    }
  });

  it("a cut inside the header reports truncation with nothing decrypted, and an empty file says so", async () => {
    for (const at of [1, 3, 4, 10, headerBytes - 1]) {
      const r = await readAll(bytes.subarray(0, at));
      expect(r.openError?.code).toBe("ERR_TRUNCATED");
      expect(r.openError?.missingBytes).toBeGreaterThan(0);
    }
    expect((await readAll(new Uint8Array(0))).openError?.code).toBe("ERR_EMPTY_FILE");
  });

  it("a file that ends on a block boundary inside a packet is reported, not silently shortened", async () => {
    const split = await makeCapture({ publicKey: pubBytes, packets, layout: [25, 9, 40], dataSize: 0 });
    const r = await readAll(split.bytes.subarray(0, split.blockOffsets[2]));
    expect(r.error).toBe("ERR_TRUNCATED");
    expect(r.packets.length).toBeLessThan(packets.length);
    expect(r.packets).toEqual(packets.slice(0, r.packets.length));
  });
});

describe("a flipped byte in each region", async () => {
  const { bytes, blockOffsets, headerBytes } = await makeCapture({ publicKey: pubBytes, packets, layout: "per-packet" });
  const flip = (at: number) => { const c = Buffer.from(bytes); c[at]! ^= 0x01; return c; };

  it("in the header: a clear header error, a wrong-key error, or the genuine packets — never other data", async () => {
    for (let at = 0; at < headerBytes; at++) {
      const r = await readAll(flip(at));
      if (r.error === null) expect(r.packets).toEqual(packets);
      else expect(["ERR_BAD_HEADER", "ERR_TRUNCATED", "ERR_WRONG_KEY", "ERR_EMPTY_FILE"]).toContain(r.error);
    }
  });

  it("in block 0 (length prefix, ciphertext, tag): nothing comes out", async () => {
    const b0 = blockOffsets[0]!;
    const end = blockOffsets[1]!;
    for (const at of [b0, b0 + 3, b0 + 4, b0 + 10, end - 16, end - 1]) {
      const r = await readAll(flip(at));
      expect(r.packets).toEqual([]);
      expect(["ERR_WRONG_KEY", "ERR_TRUNCATED", "ERR_BLOCK_AUTH", "ERR_LIMIT"]).toContain(r.error);
    }
  });

  it("in a later block: the blocks before it are kept, the failure names the block and its offset", async () => {
    for (let b = 1; b < blockOffsets.length; b++) {
      const start = blockOffsets[b]!;
      const end = b + 1 < blockOffsets.length ? blockOffsets[b + 1]! : bytes.length;
      for (const [region, at] of [["ciphertext", start + 4], ["tag", end - 1]] as const) {
        const s = await openCapture("t.log", { privateKey: key, source: once(flip(at)) });
        const got: Packet[] = [];
        for await (const ev of s.events()) got.push({ ...ev, data: Buffer.from(ev.data) });
        expect(got, region).toEqual(packets.slice(0, b));
        expect(s.outcome.error?.code).toBe("ERR_BLOCK_AUTH");
        expect(s.outcome.error?.blockIndex).toBe(b);
        expect(s.outcome.error?.offset).toBe(start);
      }
      // The length prefix: whatever it now claims, the blocks before are kept.
      const r = await readAll(flip(start + 3));
      expect(r.packets).toEqual(packets.slice(0, b));
      expect(["ERR_BLOCK_AUTH", "ERR_TRUNCATED", "ERR_LIMIT"]).toContain(r.error);
    }
  });

  it("reordered, duplicated and dropped blocks fail at the first block out of place", async () => {
    const blocks = blockOffsets.map((o, i) => bytes.subarray(o, blockOffsets[i + 1] ?? bytes.length));
    const head = bytes.subarray(0, headerBytes);
    const build = (order: number[]) => Buffer.concat([head, ...order.map((i) => blocks[i]!)]);
    const n = blocks.length;
    const all = [...Array(n).keys()];
    const cases: Array<[string, number[], number]> = [
      ["swapped 3 and 4", [0, 1, 2, 4, 3, ...all.slice(5)], 3],
      ["block 2 duplicated", [0, 1, 2, 2, ...all.slice(3)], 3],
      ["block 5 dropped", [...all.slice(0, 5), ...all.slice(6)], 5],
    ];
    for (const [label, order, failsAt] of cases) {
      const r = await readAll(build(order));
      expect(r.error, label).toBe("ERR_BLOCK_AUTH");
      expect(r.packets, label).toEqual(packets.slice(0, failsAt));
    }
  });
});

describe("keys", () => {
  it("a capture opened with another key fails at open with ERR_WRONG_KEY", async () => {
    const other = await generateKeyPair();
    const fx = fixtureCases()[0]!;
    await expect(openCapture(fx.log, { privateKey: other.privateKey })).rejects.toMatchObject({ code: "ERR_WRONG_KEY", blockIndex: 0 });
  });

  it("strict mode throws at the first damaged block instead of stopping quietly", async () => {
    const { bytes, blockOffsets } = await makeCapture({ publicKey: pubBytes, packets });
    const c = Buffer.from(bytes);
    c[blockOffsets[4]! + 6]! ^= 0x80;
    const s = await openCapture("t.log", { privateKey: key, source: once(c), mode: "strict" });
    const seen: Packet[] = [];
    await expect((async () => { for await (const ev of s.events()) seen.push(ev); })()).rejects.toMatchObject({ code: "ERR_BLOCK_AUTH", blockIndex: 4 });
    expect(seen.length).toBe(4);
  });
});
