import { afterAll, describe, expect, it } from "vitest";
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runBinIntoClosedPipe, runCli } from "../helpers/run-cli.js";
import { fixtureCases, tempDirWithKey } from "../helpers/fixtures.js";
import { LOGPUSH_DIR, terminalCast, writeCast } from "../helpers/sessions.js";

const tmp = tempDirWithKey();
afterAll(() => tmp.cleanup());
const exit0 = fixtureCases().find((c) => c.name === "pty-exit0")!;

describe("ssh-log export", () => {
  it("writes each format from an encrypted capture, to stdout or a file", async () => {
    const cast = await runCli(["export", "-i", tmp.key, "-l", exit0.log, "-f", "cast"]);
    expect(cast.code).toBe(0);
    expect(JSON.parse(cast.stdout.split("\n")[0]!)).toMatchObject({ version: 2, width: 120, height: 40 });
    const text = await runCli(["export", "-i", tmp.key, "-l", exit0.log, "-f", "text"]);
    expect(text.stdout).toContain("ops@web-01:~$ uname -a\nLinux web-01");
    const cmds = await runCli(["export", "-i", tmp.key, "-l", exit0.log, "--format", "commands"]);
    const lines = cmds.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => l.command)).toContain("uname -a");
    expect(lines[0]).toHaveProperty("startedAtIso");
    const out = join(tmp.dir, "s.txt");
    const toFile = await runCli(["export", "-i", tmp.key, "-l", exit0.log, "-f", "text", "-o", out]);
    expect(toFile.code).toBe(0);
    expect(toFile.stdout).toBe("");
    expect(toFile.stderr).toContain(`to ${out}`);
    expect(readFileSync(out, "utf8")).toBe(text.stdout);
    const ts = await runCli(["export", "-i", tmp.key, "-l", exit0.log, "-f", "typescript", "-o", join(tmp.dir, "ts")]);
    expect(ts.code).toBe(0);
    expect(readFileSync(join(tmp.dir, "ts", "term_data.txt"))).toEqual(exit0.expected.get("term_data.txt"));
  });

  it("reads .cast files and Logpush exports without a key", async () => {
    const r = await runCli(["export", terminalCast("sudo"), "-f", "commands"]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("hunter2");
    const l = await runCli(["export", "--logpush", join(LOGPUSH_DIR, "ssh_logs/20261001"), "--session", "5fbec211-2", "-f", "commands"]);
    expect(l.code).toBe(0);
    expect(JSON.parse(l.stdout)).toMatchObject({ command: "sudo systemctl restart nginx", exit: { status: null } });
    const gz = join(LOGPUSH_DIR, "ssh_logs/20261001/20261001T000000Z_20261001T055959Z_681abb4b.log.gz");
    const direct = await runCli(["export", gz, "--session", "5fbec211-2", "-f", "commands"]);
    expect(direct.stdout).toBe(l.stdout);
    const many = await runCli(["export", gz, "-f", "commands"]);
    expect(many.code).toBe(2);
    expect(many.stderr).toContain("--session");
  });

  it("exports many files into a folder, keeps going past bad ones, and sums up", async () => {
    const dir = join(tmp.dir, "many");
    const logs = join(tmp.dir, "logs");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(logs);
    for (const c of fixtureCases().filter((x) => x.pty)) copyFileSync(c.log, join(logs, `${c.name}.log`));
    writeFileSync(join(logs, "broken.log"), "not a capture");
    const r = await runCli(["export", "-i", tmp.key, "-l", `${logs}/*.log`, "-f", "cast", "-o", dir]);
    expect(r.code).toBe(5); // the worst failure: not a capture
    expect(r.stderr).toMatch(/Exported 5 of 6 files: 5 complete, 0 partial, 1 failed\./);
    expect(r.stderr).toContain("failed: ");
    expect(existsSync(join(dir, "pty-exit0.log.cast"))).toBe(true);
    expect(r.stderr).not.toContain("\r"); // no progress bar when stderr is not a terminal
  });

  it("one session with -o naming a folder (existing, or ending in /) writes its file into it; -o FILE.cast names the file", async () => {
    const { mkdirSync } = await import("node:fs");
    const existing = join(tmp.dir, "existing-folder");
    mkdirSync(existing);
    for (const [out, file] of [[existing, join(existing, "pty-exit0.log.cast")], [`${join(tmp.dir, "new-folder")}/`, join(tmp.dir, "new-folder", "pty-exit0.log.cast")]] as const) {
      const r = await runCli(["export", "-i", tmp.key, "-l", exit0.log, "-f", "cast", "-o", out]);
      expect(r.code, out).toBe(0);
      expect(JSON.parse(readFileSync(file, "utf8").split("\n")[0]!), out).toMatchObject({ version: 2 });
    }
    const named = join(tmp.dir, "named.cast");
    expect((await runCli(["export", "-i", tmp.key, "-l", exit0.log, "-f", "cast", "-o", named])).code).toBe(0);
    expect(existsSync(named)).toBe(true);
  });

  it("refuses to write over its input, by any path to it, in every format; the input is kept", async () => {
    const { mkdirSync, symlinkSync } = await import("node:fs");
    const original = readFileSync(terminalCast("sudo"));
    const input = join(tmp.dir, "own.cast");
    writeFileSync(input, original);
    const link = join(tmp.dir, "own-link.cast");
    symlinkSync(input, link);
    const ts = join(tmp.dir, "ts-in");
    mkdirSync(ts);
    writeFileSync(join(ts, "term_data.txt"), original);
    for (const [log, format, out] of [[input, "cast", input], [input, "text", `${tmp.dir}/./own.cast`], [link, "commands", input], [join(ts, "term_data.txt"), "typescript", ts]] as const) {
      const r = await runCli(["export", "-l", log, "-f", format, "-o", out]);
      expect(r.code, `${format} ${out}`).toBe(2);
      expect(r.stderr).toMatch(/^ssh-log: The output \S+ is the input \S+ itself, which writing it would replace; choose another output path\. \[ERR_USAGE\]\n$/);
    }
    expect(readFileSync(input).equals(original)).toBe(true);
    expect(readFileSync(join(ts, "term_data.txt")).equals(original)).toBe(true);
  });

  it("stops quietly, exit 0, when the reader of the pipe goes away (| head)", async () => {
    // A long session, so that the output cannot all fit in the pipe before the reader leaves.
    const big = writeCast(join(tmp.dir, "big.cast"), Array.from({ length: 20000 }, (_, i) => [i / 1000, "o", `line ${i} ${"x".repeat(60)}\r\n`]));
    for (const argv of [["export", big, "-f", "text"], ["export", big, "-f", "cast"], ["replay", big]]) {
      const { code, stderr: err } = await runBinIntoClosedPipe(argv);
      expect(code, argv.join(" ")).toBe(0);
      expect(err).toBe("");
    }
  });

  it("says what is wrong, with the documented exit codes", async () => {
    expect((await runCli(["export", "-l", exit0.log, "-f", "cast"])).code).toBe(2); // no key
    expect((await runCli(["export", "-i", tmp.key, "-l", exit0.log, "-f", "pdf"])).code).toBe(2);
    expect((await runCli(["export", "-i", tmp.key, "-l", join(tmp.dir, "nope.log"), "-f", "cast"])).code).toBe(6);
    const wrong = join(tmp.dir, "wrongkey");
    writeFileSync(wrong, Buffer.alloc(32, 9).toString("base64"), { mode: 0o600 });
    const w = await runCli(["export", "-i", wrong, "-l", exit0.log, "-f", "cast"]);
    expect(w.code).toBe(4);
    expect(w.stderr).toContain("[ERR_WRONG_KEY]");
    expect((await runCli(["export", "-l", exit0.log, "-f", "typescript", "-i", tmp.key])).code).toBe(2); // typescript needs -o DIR
    const exec = fixtureCases().find((c) => c.name === "exec-binary")!;
    expect((await runCli(["export", "-i", tmp.key, "-l", exec.log, "-f", "typescript", "-o", join(tmp.dir, "x")])).code).toBe(2);
    const cut = join(tmp.dir, "cut.log");
    writeFileSync(cut, readFileSync(exit0.log).subarray(0, 3000));
    const partial = await runCli(["export", "-i", tmp.key, "-l", cut, "-f", "text"]);
    expect(partial.code).toBe(3);
    expect(partial.stderr).toContain("[ERR_TRUNCATED]");
    expect(partial.stdout).toContain("Linux web-01");
  });
});
