import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fixtureCases, tempDirWithKey } from "../helpers/fixtures.js";
import { readZip } from "../helpers/read-zip.js";
import { makeCapture, pkt } from "../helpers/make-capture.js";
import { runBin, runCli } from "../helpers/run-cli.js";

const t = tempDirWithKey();
afterAll(() => t.cleanup());
const cases = fixtureCases();
const copy = (name: string, bytes: Buffer | string) => { const p = join(t.dir, name); writeFileSync(p, bytes); return p; };

describe("ssh-log decrypt", () => {
  it.each(cases)("$name: writes LOG-decrypted.zip with the expected entries and exit 0", async (fx) => {
    const log = copy(`${fx.name}.log`, readFileSync(fx.log));
    const r = await runCli(["decrypt", "-i", t.key, "-l", log]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^Decrypted /);
    const zip = await readZip(`${log}-decrypted.zip`);
    for (const [name, want] of fx.expected) expect(zip.get(name)?.data.equals(want)).toBe(true);
  });

  it("takes ssh-log-cli's flag form (-i LOG -k KEY) and -o", async () => {
    const out = join(t.dir, "cli-form.zip");
    const r = await runCli(["decrypt", "-i", cases[0]!.log, "-k", t.key, "-o", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(out)).toBe(true);
  });

  it("says the key and the log are swapped, whichever way round they are", async () => {
    const log = cases[0]!.log;
    const a = await runCli(["decrypt", "-i", log, "-l", t.key, "-o", join(t.dir, "x.zip")]);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain("ERR_SWAPPED_ARGUMENTS");
    expect(a.stderr.trim().split("\n")).toHaveLength(1);
    const b = await runCli(["decrypt", "-i", t.key, "-k", log, "-o", join(t.dir, "x.zip")]);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain("ERR_SWAPPED_ARGUMENTS");
    expect(existsSync(join(t.dir, "x.zip"))).toBe(false);
  });

  it("refuses an -o that is the log itself (however it is spelt), and the log is kept", async () => {
    const bytes = readFileSync(cases[0]!.log);
    const log = copy("capture-named.zip", bytes);
    for (const out of [log, join(t.dir, ".", "capture-named.zip")]) {
      const r = await runCli(["decrypt", "-i", t.key, "-l", log, "-o", out]);
      expect(r.code, out).toBe(2);
      expect(r.stderr).toBe(`ssh-log: The output ${out} is the input ${log} itself, which writing it would replace; choose another output path. [ERR_USAGE]\n`);
      expect(readFileSync(log).equals(bytes)).toBe(true);
    }
  });

  it("a wrong key exits 4 and writes no zip", async () => {
    const other = join(t.dir, "other");
    expect((await runCli(["keygen", "-o", other])).code).toBe(0);
    const out = join(t.dir, "wrong.zip");
    const r = await runCli(["decrypt", "-i", other, "-l", cases[0]!.log, "-o", out]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("was not encrypted for this key");
    expect(r.stderr).toContain("ERR_WRONG_KEY");
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(t.dir).filter((f) => f.includes("wrong.zip"))).toEqual([]);
  });

  it("a truncated log exits 3 and the zip holds what authenticated, with the block and offset named", async () => {
    const fx = cases.find((c) => c.name === "pty-exit0")!;
    const bytes = readFileSync(fx.log);
    const log = copy("cut.log", bytes.subarray(0, bytes.length - 10));
    const r = await runCli(["decrypt", "-i", t.key, "-l", log]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/ends inside block \d+ \(at byte \d+\), \d+ bytes short/);
    expect(r.stderr).toContain("ERR_TRUNCATED");
    const zip = await readZip(`${log}-decrypted.zip`);
    const want = fx.expected.get("term_data.txt")!.toString("latin1");
    const got = zip.get("term_data.txt")!.data.toString("latin1");
    const body = got.slice(0, got.lastIndexOf("\nScript done"));
    expect(want.startsWith(body)).toBe(true);
    expect(body.length).toBeGreaterThan(500);
  });

  it("an altered block exits 3, names the block and keeps the blocks before it", async () => {
    const fx = cases.find((c) => c.name === "pty-unterminated")!;
    const bytes = Buffer.from(readFileSync(fx.log));
    bytes[bytes.length - 2000]! ^= 0x40;
    const log = copy("altered.log", bytes);
    const r = await runCli(["decrypt", "-i", t.key, "-l", log, "--json"]);
    expect(r.code).toBe(3);
    const j = JSON.parse(r.stdout);
    expect(j.error.code).toBe("ERR_BLOCK_AUTH");
    expect(j.error.blockIndex).toBeGreaterThan(0);
    expect(j.complete).toBe(false);
    expect(existsSync(`${log}-decrypted.zip`)).toBe(true);
  });

  it("refuses bad inputs with one sentence, a code and the documented exit code", async () => {
    mkdirSync(join(t.dir, "adir"), { recursive: true });
    const checks: Array<[string[], number, string]> = [
      [["decrypt", "-i", t.key, "-l", join(t.dir, "missing.log")], 6, "ERR_NOT_FOUND"],
      [["decrypt", "-i", join(t.dir, "nokey"), "-l", cases[0]!.log], 6, "ERR_NOT_FOUND"],
      [["decrypt", "-i", t.key, "-l", copy("empty.log", "")], 5, "ERR_EMPTY_FILE"],
      [["decrypt", "-i", t.key, "-l", copy("text.log", "hello, this is not a capture\n")], 5, "ERR_BAD_HEADER"],
      [["decrypt", "-i", t.key, "-l", join(t.dir, "adir")], 6, "ERR_IS_DIRECTORY"],
      [["decrypt", "-i", t.key, "-l", cases[0]!.log, "-o", join(t.dir, "out.txt")], 2, "ERR_USAGE"],
      [["decrypt", "-i", t.key, "-l", cases[0]!.log, "-o", join(t.dir, "no", "such", "dir", "o.zip")], 6, "ERR_OUTPUT"],
      [["decrypt", "-i", `${t.key}.pub`, "-l", cases[0]!.log], 5, "ERR_BAD_KEY"],
      [["decrypt", "-i", copy("short.key", "c2hvcnQ="), "-l", cases[0]!.log], 5, "ERR_BAD_KEY"],
      [["decrypt", "-l", cases[0]!.log], 2, "ERR_USAGE"],
    ];
    for (const [argv, code, errCode] of checks) {
      const r = await runCli(argv);
      expect(r.code, `${argv.join(" ")}: ${r.stderr}`).toBe(code);
      expect(r.stderr).toContain(`[${errCode}]`);
      expect(r.stderr.trim().split("\n"), r.stderr).toHaveLength(1);
    }
  });

  it("decrypts a log encrypted to a key made by keygen", async () => {
    const k = join(t.dir, "fresh");
    const kg = await runCli(["keygen", "-o", k]);
    expect(kg.code).toBe(0);
    const pub = readFileSync(`${k}.pub`, "latin1");
    expect(kg.stdout.trim()).toBe(pub);
    const { bytes } = await makeCapture({
      publicKey: Uint8Array.from(Buffer.from(pub, "base64")),
      packets: [pkt(0, 10, "ls\n"), pkt(1, 20, "a b c\n"), pkt(1, 30, "err\n", 1)],
      exit: { timestamp: 1_773_273_999, status: 0, signal: null, coreDumped: false, errorMessage: null },
    });
    const log = copy("fresh.log", bytes);
    const r = await runCli(["decrypt", "-i", k, "-l", log]);
    expect(r.code, r.stderr).toBe(0);
    const zip = await readZip(`${log}-decrypted.zip`);
    expect(zip.get("data_from_client.txt")!.data.toString()).toBe("ls\n");
    expect(zip.get("data_from_server.txt")!.data.toString()).toBe("a b c\nerr\n");
  });
});

describe("ssh-log keygen", () => {
  it("writes 0600/0644 files of 44 base64 characters without a newline, and refuses to overwrite", async () => {
    const { statSync } = await import("node:fs");
    const k = join(t.dir, "kg");
    const r = await runCli(["keygen", "-o", k]);
    expect(r.code).toBe(0);
    expect(statSync(k).mode & 0o777).toBe(0o600);
    expect(statSync(`${k}.pub`).mode & 0o777).toBe(0o644);
    const sk = readFileSync(k, "latin1");
    expect(sk).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(r.stdout + r.stderr).not.toContain(sk); // the private key is never printed
    const again = await runCli(["keygen", "-o", k]);
    expect(again.code).toBe(6);
    expect(again.stderr).toContain("ERR_OUTPUT_EXISTS");
    expect(readFileSync(k, "latin1")).toBe(sk);
    const forced = await runCli(["generate-key-pair", "-o", k, "--force"]);
    expect(forced.code).toBe(0);
    expect(readFileSync(k, "latin1")).not.toBe(sk);
    expect(statSync(k).mode & 0o777).toBe(0o600);
  });
});

describe("ssh-log inspect", () => {
  it("reports header, blocks and data_size agreement as JSON, without a key", async () => {
    const fx = cases.find((c) => c.name === "pty-no-term-error")!;
    const r = await runCli(["inspect", fx.log, "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.started_at).toBe("2026-03-12T00:05:18Z");
    expect(j.pty).toEqual({ term: null, width: 211, height: 57, modes: [] });
    expect(j.exit_data.error_msg).toBe("connection reset by peer");
    expect(j.blocks.count).toBe(423);
    expect(j.data_size_agrees).toBe(true);
    expect(j.ends_inside_block).toBe(false);
  });
  it("says when the file ends inside a block, and exits 3", async () => {
    const bytes = readFileSync(cases[0]!.log);
    const r = await runCli(["inspect", copy("cut2.log", bytes.subarray(0, bytes.length - 3))]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/Ends\s+inside a block/);
    expect(r.stdout).toMatch(/DISAGREES/);
  });
});

describe("the real bin/ssh-log.js", () => {
  it("prints help, decrypts a fixture and fails a wrong path with exit 6", async () => {
    const help = await runBin(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("decrypt");
    const fx = cases[0]!;
    const out = join(t.dir, "bin.zip");
    const ok = await runBin(["decrypt", "-i", t.key, "-l", fx.log, "-o", out]);
    expect(ok.code, ok.stderr).toBe(0);
    expect((await readZip(out)).size).toBe(2);
    const missing = await runBin(["decrypt", "-i", t.key, "-l", join(t.dir, "nope.log")]);
    expect(missing.code).toBe(6);
    expect(missing.stderr).toContain("does not exist");
  });
});
