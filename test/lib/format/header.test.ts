import { describe, expect, it } from "vitest";
import { encodeHeader, parseHeader } from "../../../lib/format/header.js";
import { CaptureFramer } from "../../../lib/format/framing.js";
import { PacketParser, encodePacketInto, packetSize } from "../../../lib/format/packets.js";

const base = {
  startedAt: 1_773_273_918,
  dataSize: 0,
  encapsulatedKey: new Uint8Array(32).fill(7),
  pty: { term: "xterm", width: 80, height: 24, modes: [["ECHO", 1]] as Array<[string, number]> },
  exit: null,
};

describe("header", () => {
  it("round-trips, keeps unknown fields, and pads to a reserved size any base64 decoder accepts", () => {
    const enc = encodeHeader({ ...base, extra: { command: "ls -l", window_changes: [] } }, 1024);
    expect(enc.length).toBe(1028);
    expect(enc.readUInt32BE(0)).toBe(1024);
    const b64 = enc.subarray(4).toString("latin1");
    expect(b64).toMatch(/^[A-Za-z0-9+/]+$/); // no padding characters, no spaces: plain base64
    const h = parseHeader(enc.subarray(4), "h.log");
    expect(h.startedAt).toBe(base.startedAt);
    expect(h.pty).toEqual(base.pty);
    expect(h.extra).toEqual({ command: "ls -l", window_changes: [] });
    // A longer header (exit data) fits the same reservation, so it can be rewritten in place.
    const final = encodeHeader({ ...base, dataSize: 123456, exit: { timestamp: 1, status: 0, signal: null, coreDumped: false, errorMessage: null } }, 1024);
    expect(final.length).toBe(enc.length);
  });

  it("refuses what is not a capture header with ERR_BAD_HEADER", () => {
    const cases = ["", "!!!!", "bm90IGpzb24=", Buffer.from("[1,2]").toString("base64"), Buffer.from('{"started_at":"x"}').toString("base64"),
      Buffer.from('{"started_at":1,"encapsulated_key":"abcd"}').toString("base64"),
      Buffer.from('{"started_at":1,"encapsulated_key":"' + "00".repeat(32) + '","pty":{"width":"80"}}').toString("base64")];
    for (const c of cases) expect(() => parseHeader(Buffer.from(c), "x.log"), c).toThrow(expect.objectContaining({ code: "ERR_BAD_HEADER", file: "x.log" }));
  });

  it("accepts a header without exit_data, pty or data_size, and core_dumped absent as false", () => {
    const h = parseHeader(Buffer.from(Buffer.from(JSON.stringify({ started_at: 5, encapsulated_key: "ab".repeat(32), exit_data: { timestamp: 6, status: 1 } })).toString("base64")), "x");
    expect(h.pty).toBeNull();
    expect(h.dataSize).toBeNull();
    expect(h.exit).toEqual({ timestamp: 6, status: 1, signal: null, coreDumped: false, errorMessage: null });
  });
});

describe("framing limits", () => {
  it("a header length beyond the limit is refused before anything is allocated", () => {
    const f = new CaptureFramer("big.log");
    expect(() => f.push(Uint8Array.from([0xff, 0xff, 0xff, 0xff]), () => undefined)).toThrow(expect.objectContaining({ code: "ERR_BAD_HEADER" }));
  });
  it("a block claiming 4 GiB is refused with ERR_LIMIT, a block shorter than a tag with ERR_BLOCK_AUTH", () => {
    const header = encodeHeader(base);
    for (const [len, code] of [[0xffffffff, "ERR_LIMIT"], [0, "ERR_BLOCK_AUTH"], [15, "ERR_BLOCK_AUTH"]] as const) {
      const f = new CaptureFramer("b.log");
      const prefix = Buffer.alloc(4);
      prefix.writeUInt32BE(len);
      expect(() => f.push(Buffer.concat([header, prefix]), () => undefined)).toThrow(expect.objectContaining({ code, blockIndex: 0, offset: header.length }));
    }
  });
});

describe("packets", () => {
  it("round-trips packets whatever the split, including headers cut mid-field", () => {
    const pk = [
      { source: 1 as const, code: 0, elapsedMicros: 2 ** 40 + 5, data: Buffer.from("hello") },
      { source: 0 as const, code: 1, elapsedMicros: 2 ** 40 + 6, data: Buffer.alloc(0) },
      { source: 1 as const, code: 0, elapsedMicros: 2 ** 52, data: Buffer.alloc(300, 9) },
    ];
    const buf = Buffer.alloc(pk.reduce((n, p) => n + packetSize(p.data.length), 0));
    let at = 0;
    for (const p of pk) at = encodePacketInto(buf, at, p.source, p.code, p.elapsedMicros, p.data);
    for (let step = 1; step <= buf.length; step += 7) {
      const parser = new PacketParser("p");
      const got: unknown[] = [];
      for (let i = 0; i < buf.length; i += step) parser.push(buf.subarray(i, i + step), (p) => got.push({ ...p, data: Buffer.from(p.data) }));
      expect(got).toEqual(pk);
      expect(parser.pending).toBe(0);
    }
  });
  it("refuses a packet shorter than its own header or from an unknown source", () => {
    const b = Buffer.alloc(17);
    b.writeUInt32BE(12, 0);
    expect(() => new PacketParser("p").push(b, () => undefined)).toThrow(expect.objectContaining({ code: "ERR_BAD_PACKET" }));
    b.writeUInt32BE(13, 0);
    b[4] = 2;
    expect(() => new PacketParser("p").push(b, () => undefined)).toThrow(expect.objectContaining({ code: "ERR_BAD_PACKET" }));
  });
});
