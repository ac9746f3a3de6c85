import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SESSIONS_DIR, tempDirWithKey } from "../helpers/fixtures.js";
import { runCli } from "../helpers/run-cli.js";
import { LOGPUSH_DIR, terminalCast } from "../helpers/sessions.js";

const t = tempDirWithKey();
afterAll(() => t.cleanup());
const log = join(SESSIONS_DIR, "pty-exit0.log");
const other = join(SESSIONS_DIR, "exec-binary.log");

/** The single stderr line of a failed run. */
function oneLine(r: { stderr: string }): string {
  const lines = r.stderr.trimEnd().split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  return lines[0]!;
}

describe("swapped key and log: the advice names the command's own options", () => {
  it("replay and export (no -k) say -i KEY -l LOG, whichever file is in the wrong place", async () => {
    for (const argv of [
      ["replay", "-i", log, "-l", t.key],
      ["replay", "-i", log, other],
      ["export", "-i", log, "-l", t.key, "-f", "text"],
      ["export", "-i", log, other, "-f", "text"],
    ]) {
      const r = await runCli(argv);
      expect(r.code, argv.join(" ")).toBe(2);
      const line = oneLine(r);
      expect(line).toContain("(use -i KEY -l LOG). [ERR_SWAPPED_ARGUMENTS]");
      expect(line).not.toContain("-k");
    }
  });

  it("decrypt, which has ssh-log-cli's -k form, names both forms", async () => {
    const a = await runCli(["decrypt", "-i", log, "-l", t.key, "-o", join(t.dir, "x.zip")]);
    expect(oneLine(a)).toContain("(use -i KEY -l LOG, or -i LOG -k KEY). [ERR_SWAPPED_ARGUMENTS]");
    const b = await runCli(["decrypt", "-i", t.key, "-k", log, "-o", join(t.dir, "x.zip")]);
    expect(oneLine(b)).toContain("(use -i KEY -l LOG, or -i LOG -k KEY). [ERR_SWAPPED_ARGUMENTS]");
  });
});

describe("a file that is not a session", () => {
  it("replay of a text file says it is no capture, zip, .cast or Logpush file (exit 5), not that it needs a key", async () => {
    const f = join(t.dir, "notdb.duckdb");
    (await import("node:fs")).writeFileSync(f, "hello\n");
    const r = await runCli(["replay", f]);
    expect(r.code).toBe(5);
    const line = oneLine(r);
    expect(line).toContain("is not an encrypted capture, a decrypted zip, a .cast or a Logpush file");
    expect(line).toMatch(/\[ERR_BAD_HEADER\]$/);
  });
});

describe("a .cast, zip or Logpush file where an encrypted capture belongs", () => {
  it("inspect and decrypt say what it is and what to use, not the header arithmetic", async () => {
    const zip = join(t.dir, "x-decrypted.zip");
    expect((await runCli(["decrypt", "-i", t.key, "-l", log, "-o", zip])).code).toBe(0);
    const cast = terminalCast("sudo");
    const gz = join(LOGPUSH_DIR, "ssh_logs/20261001", readdirSync(join(LOGPUSH_DIR, "ssh_logs/20261001")).find((f) => f.endsWith(".gz"))!);
    for (const [argv, file, what] of [
      [["inspect", cast], cast, "an asciicast recording"],
      [["inspect", zip], zip, "a decrypted zip"],
      [["decrypt", "-i", t.key, "-l", cast, "-o", join(t.dir, "c.zip")], cast, "an asciicast recording"],
      [["decrypt", "-i", t.key, "-l", zip, "-o", join(t.dir, "z.zip")], zip, "a decrypted zip"],
      [["inspect", gz], gz, "a Logpush export"],
    ] as Array<[string[], string, string]>) {
      const r = await runCli(argv);
      expect(r.code, argv.join(" ")).toBe(5);
      expect(r.stdout).toBe("");
      expect(oneLine(r)).toBe(`ssh-log: ${file} is ${what}, not an encrypted capture; it needs no decrypting: use ssh-log replay or ssh-log export on it. [ERR_BAD_HEADER]`);
    }
  });
});

describe("keygen -o FOLDER", () => {
  it("says it is a folder and names a file path in it (ERR_IS_DIRECTORY, exit 6), with or without --force", async () => {
    const dir = join(t.dir, "adir");
    (await import("node:fs")).mkdirSync(dir);
    for (const argv of [["keygen", "-o", dir], ["keygen", "-o", dir, "--force"]]) {
      const r = await runCli(argv);
      expect(r.code).toBe(6);
      expect(oneLine(r)).toBe(`ssh-log: ${dir} is a folder, not a key file; give keygen the path of a file, such as ${join(dir, "sshkey")}. [ERR_IS_DIRECTORY]`);
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it("an existing key is refused in one sentence", async () => {
    const r = await runCli(["keygen", "-o", t.key]);
    expect(r.code).toBe(6);
    const line = oneLine(r);
    expect(line).toMatch(/\[ERR_OUTPUT_EXISTS\]$/);
    expect(line.slice(0, -" [ERR_OUTPUT_EXISTS]".length).replace(/\.$/, "")).not.toMatch(/\. /);
  });
});

describe("inspect of a cut capture", () => {
  it("keeps its report on stdout in inspect's words, and says ERR_TRUNCATED on stderr as decrypt does (exit 3)", async () => {
    const fs = await import("node:fs");
    const cut = join(t.dir, "trunc.log");
    fs.writeFileSync(cut, fs.readFileSync(log).subarray(0, 3000));
    const r = await runCli(["inspect", cut]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/Ends\s+inside a block: .*ends inside block 61 \(at byte 2991\), 29 bytes short; the 61 blocks before it are complete \(decrypt keeps them\), fetch the file again for the rest\./);
    expect(r.stdout).not.toContain("was kept");
    expect(oneLine(r)).toMatch(/^ssh-log: .*trunc\.log ends inside block 61 .*\[ERR_TRUNCATED\]$/);
    const d = await runCli(["decrypt", "-i", t.key, "-l", cut, "-o", join(t.dir, "trunc.zip")]);
    expect(d.code).toBe(3);
    expect(d.stderr.split("\n")[0]).toMatch(/^ssh-log: .*trunc\.log ends inside block 61 .*everything before it was kept.*\[ERR_TRUNCATED\]$/);
  });
});

describe("replay --from", () => {
  it("refuses 99:99 and 1:60:00 (seconds and minutes after a colon are below 60)", async () => {
    for (const from of ["99:99", "1:75", "1:60:00", "0:00:60"]) {
      const r = await runCli(["replay", "-i", t.key, "-l", log, "--from", from]);
      expect(r.code, from).toBe(2);
      expect(oneLine(r)).toMatch(new RegExp(`^ssh-log: --from ${from} is not a time; .*\\[ERR_USAGE\\]$`));
    }
  });

  it("past the end of the recording: says so in a terminal, instead of jumping to the end", async () => {
    const { PassThrough } = await import("node:stream");
    const { run } = await import("../../cli/main.js");
    const stdout = Object.assign(new PassThrough(), { isTTY: true, columns: 200, rows: 60 });
    const stderr = new PassThrough();
    let err = "";
    stderr.on("data", (d) => { err += d; });
    const stdin = new PassThrough();
    stdin.end();
    const code = await run(["replay", "-i", t.key, "-l", log, "--from", "2:00:00"], {
      stdout, stderr, stdin, env: process.env,
      out: (l) => { stdout.write(`${l}\n`); }, err: (l) => { stderr.write(`${l}\n`); },
    });
    expect(code).toBe(2);
    expect(oneLine({ stderr: err })).toBe(`ssh-log: --from 2:00:00 is past the end of ${log}, which lasts 6:07; give a time up to that. [ERR_USAGE]`);
  });
});

describe("a damaged zip", () => {
  it("says what is wrong in a short phrase, so the whole is one sentence (exit 5)", async () => {
    const fs = await import("node:fs");
    const zip = join(t.dir, "whole-decrypted.zip");
    expect((await runCli(["decrypt", "-i", t.key, "-l", log, "-o", zip])).code).toBe(0);
    const bytes = fs.readFileSync(zip);
    const cd = bytes.lastIndexOf(Buffer.from("PK\x01\x02", "latin1"));
    const damaged = Buffer.from(bytes);
    damaged.write("XX", cd, "latin1");
    for (const [name, data, phrase] of [
      ["tz.zip", bytes.subarray(0, 2000), "it ends before its central directory: the file is cut short"],
      ["junk.zip", Buffer.concat([bytes, Buffer.from("junk")]), "bytes follow its end record: something was appended to the file"],
      ["cd.zip", damaged, "its central directory is damaged"],
    ] as Array<[string, Buffer, string]>) {
      const p = join(t.dir, name);
      fs.writeFileSync(p, data);
      const r = await runCli(["replay", p]);
      expect(r.code, name).toBe(5);
      const line = oneLine(r);
      expect(line).toBe(`ssh-log: ${p} is not a readable zip (${phrase}); give the -decrypted.zip file written by decrypt. [ERR_BAD_INPUT]`);
    }
  });
});

describe("a key file that is empty, and a capture altered in the middle", () => {
  it("an empty key file is called empty (ERR_BAD_KEY, exit 5)", async () => {
    const empty = join(t.dir, "empty-key");
    writeFileSync(empty, "", { mode: 0o600 });
    const r = await runCli(["decrypt", "-i", empty, "-l", log, "-o", join(t.dir, "e.zip")]);
    expect(r.code).toBe(5);
    expect(oneLine(r)).toMatch(/^ssh-log: \S*empty-key is empty: it should hold 44 base64 characters .*\[ERR_BAD_KEY\]$/);
  });

  it("a block that does not authenticate: what was kept, and what to do for the rest (exit 3)", async () => {
    const bytes = readFileSync(log);
    bytes[9000] = bytes[9000]! ^ 1;
    const flipped = join(t.dir, "flipped.log");
    writeFileSync(flipped, bytes);
    const r = await runCli(["decrypt", "-i", t.key, "-l", flipped, "-o", join(t.dir, "f.zip")]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/does not authenticate, .* blocks before it were kept, and a copy fetched again may hold the rest\. \[ERR_BLOCK_AUTH\]/);
  });
});
