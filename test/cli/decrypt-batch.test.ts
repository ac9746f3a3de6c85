import { afterAll, describe, expect, it } from "vitest";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/run-cli.js";
import { fixtureCases, tempDirWithKey } from "../helpers/fixtures.js";
import { readZip } from "../helpers/read-zip.js";
import { expandInputs, formatSummary, outputNames, progressLine, runBatch } from "../../lib/outputs/batch.js";

const tmp = tempDirWithKey();
afterAll(() => tmp.cleanup());
const logs = join(tmp.dir, "logs");
mkdirSync(logs);
for (const c of fixtureCases()) copyFileSync(c.log, join(logs, `${c.name}.log`));
writeFileSync(join(logs, "zz-cut.log"), readFileSync(fixtureCases().find((c) => c.name === "pty-exit0")!.log).subarray(0, 3000));
writeFileSync(join(logs, "zz-garbage.log"), "garbage");

describe("ssh-log decrypt with many logs", () => {
  it("decrypts a quoted glob into a folder, keeps going past bad files and sums up", async () => {
    const out = join(tmp.dir, "out");
    const r = await runCli(["decrypt", "-i", tmp.key, "-l", `${logs}/*.log`, "-o", out]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain("Decrypted 8 of 9 files: 7 complete, 1 partial, 1 failed.");
    expect(r.stderr).toMatch(/partial: .*zz-cut\.log: .*\[ERR_TRUNCATED\]/);
    expect(r.stderr).toMatch(/failed: .*zz-garbage\.log: .*\[ERR_BAD_HEADER\]/);
    // Each line names the file once: the sentence after it does not start with the path again.
    expect(r.stderr).not.toMatch(/zz-cut\.log: \S*zz-cut\.log/);
    expect(r.stderr).toMatch(/partial: \S*zz-cut\.log: it ends inside block/);
    for (const c of fixtureCases()) {
      const z = await readZip(join(out, `${c.name}.log-decrypted.zip`));
      for (const [name, data] of c.expected) expect(z.get(name)!.data).toEqual(data);
    }
    expect(existsSync(join(out, "zz-cut.log-decrypted.zip"))).toBe(true);
  });

  it("one log with -o naming a folder (existing, or ending in /) writes its zip into it", async () => {
    const c = fixtureCases()[0]!;
    const existing = join(tmp.dir, "one-existing");
    mkdirSync(existing);
    for (const out of [existing, `${join(tmp.dir, "one-new")}/`]) {
      const r = await runCli(["decrypt", "-i", tmp.key, "-l", c.log, "-o", out]);
      expect(r.code, r.stderr).toBe(0);
      const z = await readZip(join(out, `${c.name}.log-decrypted.zip`));
      for (const [name, data] of c.expected) expect(z.get(name)!.data).toEqual(data);
    }
  });

  it("takes the shell's expansion too (extra arguments), zips beside each log without -o, and --json", async () => {
    const two = fixtureCases().slice(0, 2).map((c) => join(logs, `${c.name}.log`));
    const r = await runCli(["decrypt", "-i", tmp.key, "-l", two[0]!, two[1]!, "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ ok: 2, partial: 0, failed: 0 });
    for (const f of two) expect(existsSync(`${f}-decrypted.zip`)).toBe(true);
  });

  it("a single log behaves exactly as before", async () => {
    const c = fixtureCases().find((x) => x.name === "pty-exit0")!;
    const out = join(tmp.dir, "one.zip");
    const r = await runCli(["decrypt", "-i", tmp.key, "-l", c.log, "-o", out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`Decrypted ${c.log} (442 blocks, 442 packets) to ${out}: term_data.txt 1419 bytes, term_times.txt 2512 bytes.\n`);
    expect((await runCli(["decrypt", "-i", tmp.key, "-l", c.log, "-o", join(tmp.dir, "x.txt")])).code).toBe(2);
  });

  it("a pattern that matches nothing is a usage error", async () => {
    const r = await runCli(["decrypt", "-i", tmp.key, "-l", `${logs}/*.nothing`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("[ERR_USAGE]");
  });
});

describe("batch helpers", () => {
  it("expands *, ?, [..] and **, sorted, literal names with brackets kept", async () => {
    expect((await expandInputs([`${logs}/pty-exit?.log`])).map((p) => p.slice(logs.length + 1))).toEqual(["pty-exit0.log"]);
    expect((await expandInputs([`${logs}/exec-*.log`])).length).toBe(2);
    expect((await expandInputs([`${tmp.dir}/**/pty-[ce]*.log`])).map((p) => p.slice(logs.length + 1))).toEqual(["pty-core-dumped.log", "pty-exit-status.log", "pty-exit0.log"]);
    const odd = join(logs, "odd[1].log");
    writeFileSync(odd, "x");
    expect(await expandInputs([odd])).toEqual([odd]);
  });
  it("names outputs uniquely, draws a progress line and a summary", async () => {
    expect(outputNames(["a/s.log", "b/s.log", "c/t.log"], "out", ".cast")).toEqual(["out/s.log.cast", "out/s.log-2.cast", "out/t.log.cast"]);
    // An input in the output folder is never an output's name: it would be replaced before it is read.
    expect(outputNames(["d/a.cast", "d/a.cast.cast"], "d", ".cast")).toEqual(["d/a.cast-2.cast", "d/a.cast.cast.cast"]);
    expect(outputNames(["d/a.cast", "./d/a.cast.cast"], "./d/", ".cast")).toEqual(["d/a.cast-2.cast", "d/a.cast.cast.cast"]);
    expect(progressLine(3, 10, "logs/a.log", 60)).toBe("[######..............] 3/10 logs/a.log");
    expect(progressLine(0, 1, "x".repeat(100), 40)).toHaveLength(39);
    let drawn = "";
    const s = await runBatch(["a", "b"], async (i) => {
      if (i === "b") throw new Error("boom");
      return { output: "o", status: "ok", error: null, detail: "" };
    }, { progress: { write: (x: string) => { drawn += x; return true; } } as unknown as NodeJS.WritableStream });
    expect(s).toMatchObject({ ok: 1, partial: 0, failed: 1 });
    expect(drawn).toContain("1/2 b");
    expect(formatSummary(s, "Did").at(-1)).toBe("Did 1 of 2 files: 1 complete, 0 partial, 1 failed.");
  });
});
