import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../lib/errors.js";
import { encodeHeader, parseHeader, type CaptureHeader } from "../../lib/format/header.js";
import { expectTyped, fuzzParams, fuzzTimeout } from "./fuzz-config.js";

const b64 = (s: string): Uint8Array => Buffer.from(Buffer.from(s, "utf8").toString("base64"), "latin1");
const hex32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString("hex"));

/** Values that are almost right, right, or anything: where type checks usually slip. */
const anyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.integer(), fc.double(), fc.constant(null), fc.constant(-1), fc.constant(2 ** 53), fc.string({ maxLength: 70 }),
);
const ptyArb = fc.oneof(
  fc.constant(null),
  anyValue,
  fc.record({ term: fc.oneof(fc.string(), fc.constant(null), anyValue), width: fc.oneof(fc.nat(), anyValue), height: fc.oneof(fc.nat(), anyValue), modes: fc.oneof(fc.array(fc.tuple(fc.string(), fc.integer())), anyValue) }, { requiredKeys: [] }),
);
const exitArb = fc.oneof(
  fc.constant(null),
  anyValue,
  fc.record({ timestamp: fc.oneof(fc.nat(), anyValue), status: fc.oneof(fc.integer(), fc.constant(null), anyValue), signal: fc.oneof(fc.string(), fc.constant(null), anyValue), core_dumped: fc.oneof(fc.boolean(), anyValue), error_msg: fc.oneof(fc.string(), fc.constant(null), anyValue) }, { requiredKeys: [] }),
);
const headerObject = fc.record(
  {
    started_at: fc.oneof(fc.nat(), anyValue),
    data_size: fc.oneof(fc.nat(), anyValue),
    encapsulated_key: fc.oneof(hex32, hex32.map((h) => h.toUpperCase()), hex32.map((h) => h.slice(2)), hex32.map((h) => `${h}00`), anyValue),
    pty: ptyArb,
    exit_data: exitArb,
    extra: anyValue,
  },
  { requiredKeys: [] },
);

/** Invariants of a header that parsed: what every reader downstream relies on. */
function checkParsed(h: CaptureHeader): void {
  expect(Number.isSafeInteger(h.startedAt) && h.startedAt >= 0).toBe(true);
  expect(h.encapsulatedKey.length).toBe(32);
  if (h.dataSize !== null) expect(Number.isSafeInteger(h.dataSize) && h.dataSize >= 0).toBe(true);
  if (h.pty) {
    expect(h.pty.term === null || typeof h.pty.term === "string").toBe(true);
    expect(Number.isSafeInteger(h.pty.width) && Number.isSafeInteger(h.pty.height)).toBe(true);
    for (const [name, value] of h.pty.modes) expect(typeof name === "string" && Number.isSafeInteger(value)).toBe(true);
  }
  if (h.exit) {
    expect(Number.isSafeInteger(h.exit.timestamp)).toBe(true);
    expect(h.exit.status === null || Number.isSafeInteger(h.exit.status)).toBe(true);
    expect(typeof h.exit.coreDumped).toBe("boolean");
  }
}

describe("fuzz: capture header", () => {
  it("arbitrary bytes either parse or fail with ERR_BAD_HEADER", () => {
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 400 }), fc.string({ maxLength: 400 }).map((s) => Buffer.from(s, "latin1"))), (bytes) => {
      try {
        checkParsed(parseHeader(bytes, "f.log"));
      } catch (err) {
        expect(expectTyped(err).code).toBe(ErrorCode.BadHeader);
      }
    }), fuzzParams(2000));
  }, fuzzTimeout(30_000));

  it("JSON of every shape, base64-encoded, parses to a well-typed header or fails with ERR_BAD_HEADER", () => {
    fc.assert(fc.property(fc.oneof(headerObject, fc.jsonValue({ maxDepth: 4 })), fc.constantFrom("", " ", "\n", "\t \r\n"), (obj, ws) => {
      try {
        checkParsed(parseHeader(b64(`${ws}${JSON.stringify(obj) ?? "null"}${ws}`), "f.log"));
      } catch (err) {
        expect(expectTyped(err).code).toBe(ErrorCode.BadHeader);
      }
    }), fuzzParams(2000));
  }, fuzzTimeout(30_000));

  it("invalid UTF-8, deep nesting and lone surrogates inside the JSON fail cleanly", () => {
    const nasty = fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.concat([Buffer.from('{"started_at":1,"x":"'), Buffer.from(b), Buffer.from('"}')])),
      fc.integer({ min: 1, max: 100_000 }).map((d) => Buffer.from(`${"[".repeat(d)}${"]".repeat(d)}`)),
      fc.integer({ min: 1, max: 5_000 }).map((d) => Buffer.from(`${'{"a":'.repeat(d)}1${"}".repeat(d)}`)),
    );
    fc.assert(fc.property(nasty, (json) => {
      try {
        checkParsed(parseHeader(Buffer.from(json.toString("base64"), "latin1"), "f.log"));
      } catch (err) {
        expect(expectTyped(err).code).toBe(ErrorCode.BadHeader);
      }
    }), fuzzParams(300, 0.1));
  }, fuzzTimeout(30_000));

  it("encodeHeader then parseHeader gives back the header, with and without a reserve", () => {
    const valid = fc.record({
      startedAt: fc.integer({ min: 0, max: 2 ** 40 }),
      dataSize: fc.oneof(fc.constant(null), fc.integer({ min: 1, max: 2 ** 40 })),
      encapsulatedKey: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      pty: fc.oneof(fc.constant(null), fc.record({ term: fc.oneof(fc.constant(null), fc.string()), width: fc.nat(65535), height: fc.nat(65535), modes: fc.array(fc.tuple(fc.string(), fc.nat())) })),
      exit: fc.oneof(fc.constant(null), fc.record({ timestamp: fc.nat(), status: fc.oneof(fc.constant(null), fc.integer()), signal: fc.oneof(fc.constant(null), fc.string()), coreDumped: fc.boolean(), errorMessage: fc.oneof(fc.constant(null), fc.string()) })),
    });
    fc.assert(fc.property(valid, fc.boolean(), (h, reserve) => {
      const plain = encodeHeader(h);
      const bytes = reserve ? encodeHeader(h, Math.ceil((plain.length - 4 + 8) / 4) * 4) : plain;
      expect(bytes.readUInt32BE(0)).toBe(bytes.length - 4);
      const back = parseHeader(bytes.subarray(4), "f.log");
      expect(back).toEqual({ ...h, encapsulatedKey: Uint8Array.from(h.encapsulatedKey), dataSize: h.dataSize ?? 0, extra: {} }); // null is written as 0 (headerToJson)
    }), fuzzParams(1000));
  }, fuzzTimeout(30_000));
});
