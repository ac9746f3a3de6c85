import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { datasetOfRecord } from "../../../lib/audit/datasets.js";
import { detectInput, listInputs } from "../../../lib/audit/detect.js";
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
    await expect(listInputs([join(d, "missing")])).rejects.toMatchObject({ code: "ERR_NOT_FOUND" });
  });

  it("names a dataset only when the fields say so clearly", () => {
    expect(datasetOfRecord({ RayID: "x", AppDomain: "a", Allowed: true })).toBe("access_requests");
    expect(datasetOfRecord({ SessionID: "s", ProgramID: "p", ProgramType: "shell", Username: "u" })).toBe("ssh_logs");
    expect(datasetOfRecord({ BytesSent: 1, BytesReceived: 2, SessionStartTime: "t" })).toBe("zero_trust_network_sessions");
    expect(datasetOfRecord({ SessionID: "s" })).toBeNull();
  });
});
