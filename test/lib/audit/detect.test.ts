import { randomBytes } from "node:crypto";
import { copyFileSync, mkdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { datasetOfRecord } from "../../../lib/audit/datasets.js";
import { detectInput, listInputs } from "../../../lib/audit/detect.js";
import { scanFile } from "../../../lib/audit/internal/scan-file.js";
import { fixtureCases, tempDir } from "../../helpers/fixtures.js";
import { filesOf, LOGPUSH_DIR, readRecords } from "./logpush-sample.js";

describe("input detection", () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it("tells each Logpush dataset from its fields, gzipped or not, whatever the file is called", async () => {
    for (const d of ["access_requests", "ssh_logs", "zero_trust_network_sessions"] as const) {
      const f = filesOf(join(LOGPUSH_DIR, d))[0]!;
      expect(await detectInput(f)).toMatchObject({ kind: "logpush", dataset: d, gzip: true, extraFields: [] });
      const plain = join(tmp.dir, `${d}.txt`);
      writeFileSync(plain, readRecords(f).map((r) => JSON.stringify(r)).join("\n"));
      expect(await detectInput(plain)).toMatchObject({ kind: "logpush", dataset: d, gzip: false });
    }
  });

  it("recognises a file whose first record is longer than the part read to recognise it", async () => {
    const [r] = readRecords(filesOf(join(LOGPUSH_DIR, "ssh_logs"))[0]!);
    const big = { ...r!, Payload: Buffer.alloc(300_000, 7).toString("base64") };
    const f = join(tmp.dir, "big-payload.log.gz");
    writeFileSync(f, gzipSync(`${JSON.stringify(big)}\n${JSON.stringify(big)}\n`));
    expect(await detectInput(f)).toMatchObject({ kind: "logpush", dataset: "ssh_logs", gzip: true });
    const plain = join(tmp.dir, "big-payload.log");
    writeFileSync(plain, `${JSON.stringify(big)}\n`);
    expect(await detectInput(plain)).toMatchObject({ kind: "logpush", dataset: "ssh_logs", gzip: false });
  });

  it("recognises a first record longer than the part read after blank lines, as without them", async () => {
    const [r] = readRecords(filesOf(join(LOGPUSH_DIR, "ssh_logs"))[0]!);
    const big = JSON.stringify({ ...r!, Payload: Buffer.alloc(300_000, 7).toString("base64") });
    for (const lead of ["", "\n", "\n  \n"]) {
      const plain = join(tmp.dir, `blank-lead-${lead.length}.log`);
      writeFileSync(plain, `${lead}${big}\n`);
      expect(await detectInput(plain), JSON.stringify(lead)).toMatchObject({ kind: "logpush", dataset: "ssh_logs", gzip: false });
      writeFileSync(`${plain}.gz`, gzipSync(`${lead}${big}\n`));
      expect(await detectInput(`${plain}.gz`), JSON.stringify(lead)).toMatchObject({ kind: "logpush", dataset: "ssh_logs", gzip: true });
    }
  });

  it("hashes a file it reads whole as the lanes' own scan would, and leaves a larger one to that scan", async () => {
    const recs = readRecords(filesOf(join(LOGPUSH_DIR, "access_requests"))[0]!).map((r) => JSON.stringify(r));
    const plain = join(tmp.dir, "whole.log");
    // An empty line inside and no newline at the end: both are counted as the scan counts them.
    writeFileSync(plain, `${recs[0]}\n\n${recs.slice(1).join("\n")}`);
    expect((await detectInput(plain)).scan).toEqual(await scanFile(plain, { gzip: false, countLines: true }));
    const gz = join(tmp.dir, "whole.log.gz");
    writeFileSync(gz, gzipSync(recs.join("\n")));
    // A gzip file's lines are counted when it is inflated whole, later: here only its hash.
    expect((await detectInput(gz)).scan).toEqual(await scanFile(gz, { gzip: false, countLines: false }));
    const large = join(tmp.dir, "large.log");
    const [r] = readRecords(filesOf(join(LOGPUSH_DIR, "ssh_logs"))[0]!);
    writeFileSync(large, `${JSON.stringify({ ...r!, Payload: randomBytes(900_000).toString("base64") })}\n`);
    const d = await detectInput(large);
    expect(d).toMatchObject({ kind: "logpush", dataset: "ssh_logs" });
    expect(d.scan).toBeUndefined();
    // Its size comes from the same stat as the read: index needs no second one.
    expect(d.bytes).toBe(statSync(large).size);
    expect((await detectInput(gz)).bytes).toBe(statSync(gz).size);
  });

  it("recognises a gzip file larger than the part inflated, whether its text compresses well or not", async () => {
    const [r] = readRecords(filesOf(join(LOGPUSH_DIR, "ssh_logs"))[0]!);
    // Many short records: 16 KiB of gzip hold far more than the 64 KiB of text looked at.
    const many = join(tmp.dir, "many.log.gz");
    const manyGz = gzipSync(Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ ...r!, SessionID: `s${i}`, Extra1: i })).join("\n"));
    writeFileSync(many, manyGz);
    // Records whose payloads do not compress: the first record is cut in the part inflated.
    const noise = join(tmp.dir, "noise.log.gz");
    const noiseGz = gzipSync(Array.from({ length: 3 }, () => JSON.stringify({ ...r!, Payload: randomBytes(60_000).toString("base64") })).join("\n"));
    writeFileSync(noise, noiseGz);
    // Both are past the 64 KiB under which a gzip file is inflated whole.
    expect(Math.min(manyGz.length, noiseGz.length)).toBeGreaterThan(64 * 1024);
    expect(await detectInput(many)).toMatchObject({ kind: "logpush", dataset: "ssh_logs", gzip: true, extraFields: ["Extra1"] });
    expect(await detectInput(noise)).toMatchObject({ kind: "logpush", dataset: "ssh_logs", gzip: true });
  });

  it("notes fields a dataset does not define", async () => {
    const f = join(tmp.dir, "extra.log.gz");
    const recs = readRecords(filesOf(join(LOGPUSH_DIR, "access_requests"))[0]!).map((r) => ({ ...r, NewThing: 1 }));
    writeFileSync(f, gzipSync(recs.map((r) => JSON.stringify(r)).join("\n")));
    expect(await detectInput(f)).toMatchObject({ kind: "logpush", dataset: "access_requests", extraFields: ["NewThing"] });
  });

  it("recognises captures, zips and asciicast, and says why a file is not an input", async () => {
    expect((await detectInput(fixtureCases()[0]!.log)).kind).toBe("capture");
    const cast = join(tmp.dir, "a.cast");
    writeFileSync(cast, `${JSON.stringify({ version: 2, width: 80, height: 24 })}\n[0.1, "o", "x"]\n`);
    expect((await detectInput(cast)).kind).toBe("asciicast");
    writeFileSync(join(tmp.dir, "z.zip"), Buffer.from("PK\x03\x04rest", "latin1"));
    expect((await detectInput(join(tmp.dir, "z.zip"))).kind).toBe("zip");
    writeFileSync(join(tmp.dir, "empty"), "");
    expect(await detectInput(join(tmp.dir, "empty"))).toMatchObject({ kind: "unknown", why: "it is empty" });
    writeFileSync(join(tmp.dir, "other.json"), `${JSON.stringify({ hello: "world" })}\n`);
    expect((await detectInput(join(tmp.dir, "other.json"))).why).toMatch(/match no Logpush dataset/);
    writeFileSync(join(tmp.dir, "bad.gz"), Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]));
    expect(await detectInput(join(tmp.dir, "bad.gz"))).toMatchObject({ kind: "unknown", damaged: true });
  });

  it("walks folders in order and skips hidden entries", async () => {
    const d = join(tmp.dir, "walk");
    mkdirSync(join(d, "b", ".hidden"), { recursive: true });
    writeFileSync(join(d, "b", "2"), "x");
    writeFileSync(join(d, "a"), "x");
    writeFileSync(join(d, "b", ".hidden", "3"), "x");
    copyFileSync(join(d, "a"), join(d, "b", "1"));
    expect(await listInputs([d])).toEqual([join(d, "a"), join(d, "b", "1"), join(d, "b", "2")]);
    // Links are followed, to files and to folders.
    symlinkSync(join(d, "a"), join(d, "b", "0-link"));
    symlinkSync(join(d, "b"), join(d, "c-link"));
    expect(await listInputs([d])).toEqual([
      join(d, "a"), join(d, "b", "0-link"), join(d, "b", "1"), join(d, "b", "2"),
      join(d, "c-link", "0-link"), join(d, "c-link", "1"), join(d, "c-link", "2"),
    ]);
    await expect(listInputs([join(d, "missing")])).rejects.toMatchObject({ code: "ERR_NOT_FOUND" });
  });

  it("names a dataset only when the fields say so clearly", () => {
    expect(datasetOfRecord({ RayID: "x", AppDomain: "a", Allowed: true })).toBe("access_requests");
    expect(datasetOfRecord({ SessionID: "s", ProgramID: "p", ProgramType: "shell", Username: "u" })).toBe("ssh_logs");
    expect(datasetOfRecord({ BytesSent: 1, BytesReceived: 2, SessionStartTime: "t" })).toBe("zero_trust_network_sessions");
    expect(datasetOfRecord({ SessionID: "s" })).toBeNull();
  });
});
