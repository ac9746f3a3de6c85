import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { writeKeyPair } from "../../../lib/crypto/write-key-pair.js";
import { openFileSource } from "../../../viewer/sources/open-file-source.js";
import { loadReplay } from "../../../viewer/sources/load-replay.js";
import type { FileSessionSource } from "../../../viewer/sources/file-source.js";
import { Flag } from "../../../viewer/source.js";
import { SESSIONS_DIR, tempDir, tempDirWithKey } from "../../helpers/fixtures.js";

const TERMINAL_DIR = fileURLToPath(new URL("../../../fixtures/terminal/", import.meta.url));
const cleanups: Array<() => void> = [];
const sources: FileSessionSource[] = [];
afterEach(async () => {
  for (const s of sources.splice(0)) await s.close();
  for (const c of cleanups.splice(0)) c();
});

async function open(path: string, key: string | null): Promise<FileSessionSource> {
  const s = await openFileSource(path, key === null ? [] : [key]);
  sources.push(s);
  await s.indexed;
  return s;
}
const all = { filter: "", sort: "newest" as const, offset: 0, limit: 100 };

describe("file source", () => {
  it("lists every capture from its header without a key, and says the key is needed to read more", async () => {
    const s = await open(SESSIONS_DIR, null);
    const page = await s.list(all);
    expect(page.total).toBe(7);
    const byId = new Map(page.rows.map((r) => [r.id, r]));
    expect(byId.get("pty-unterminated.log")!.flags).toContain(Flag.NoExit);
    expect(byId.get("pty-core-dumped.log")!.exit).toBe("core");
    expect(byId.get("exec-binary.log")!.program).toBe("exec");
    const d = await s.detail("pty-exit0.log");
    expect(d.commands).toEqual([]);
    expect(d.problem?.code).toBe("ERR_USAGE");
    await expect(s.open("pty-exit0.log")).rejects.toMatchObject({ code: "ERR_USAGE" });
  });

  it("with the key, finds each session's commands and flags the risky ones; the filter searches them", async () => {
    const k = tempDirWithKey();
    cleanups.push(k.cleanup);
    const s = await open(SESSIONS_DIR, k.key);
    const d = await s.detail("pty-exit-status.log");
    const rm = d.commands.find((c) => c.text === "rm -rf /tmp/build-cache");
    expect(rm).toBeDefined();
    expect(rm!.risky).toBe(true);
    expect(rm!.atMicros).toBeGreaterThan(0);
    expect(d.commands.filter((c) => c.risky)).toHaveLength(1);
    const risky = await s.list({ ...all, filter: "rm -rf" });
    expect(risky.rows.map((r) => r.id).sort()).toEqual(["pty-exit-status.log", "pty-unterminated.log"]);
    expect(risky.rows.every((r) => r.flags.includes(Flag.Risky))).toBe(true);
    expect((await s.list({ ...all, filter: "is:risky" })).total).toBe(2);
    expect((await s.list({ ...all, filter: "cmd:systemctl" })).total).toBeGreaterThan(0);
    expect((await s.list({ ...all, filter: "cmd:no-such-command" })).total).toBe(0);
    expect((await s.list({ ...all, sort: "longest" })).rows[0]!.durationSec).toBeGreaterThanOrEqual((await s.list({ ...all, sort: "longest" })).rows[1]!.durationSec ?? 0);
  });

  it("shows a wrong key and a cut file as problems on their rows, not as failures", async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const other = await writeKeyPair(join(t.dir, "otherkey"));
    const dir = join(t.dir, "rec");
    mkdirSync(dir);
    copyFileSync(join(SESSIONS_DIR, "pty-exit0.log"), join(dir, "good.log"));
    const whole = readFileSync(join(SESSIONS_DIR, "pty-core-dumped.log"));
    writeFileSync(join(dir, "cut.log"), whole.subarray(0, Math.floor(whole.length * 0.6)));
    const s = await open(dir, other.privatePath);
    const rows = (await s.list(all)).rows;
    const good = rows.find((r) => r.id === "good.log")!;
    expect(good.problem?.code).toBe("ERR_WRONG_KEY");
    expect((await s.detail("good.log")).problem?.code).toBe("ERR_WRONG_KEY");
    const k = tempDirWithKey();
    cleanups.push(k.cleanup);
    const right = await open(dir, k.key);
    const rows2 = (await right.list(all)).rows;
    expect(rows2.find((r) => r.id === "good.log")!.problem).toBeNull();
    const cut = rows2.find((r) => r.id === "cut.log")!;
    expect(cut.flags).toContain(Flag.Truncated);
    expect(cut.problem?.code).toBe("ERR_TRUNCATED");
    const d = await right.detail("cut.log");
    expect(d.commands.length).toBeGreaterThan(0);
    const model = await loadReplay(right, cut);
    expect(model.problem?.code).toBe("ERR_TRUNCATED");
    expect(model.duration).toBeGreaterThan(0);
    model.dispose();
  });

  it("reads asciicast recordings too, without a key", async () => {
    const s = await open(join(TERMINAL_DIR, "readline.cast"), null);
    const [row] = (await s.list(all)).rows;
    expect(row!.id).toBe("readline.cast");
    const d = await s.detail(row!.id);
    expect(d.commands.map((c) => c.text)).toContain("echo hello world");
  });

  it("refuses a missing path and a folder without recordings", async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    writeFileSync(join(t.dir, "notes.md"), "# nothing here\n");
    await expect(openFileSource(join(t.dir, "missing"), [])).rejects.toMatchObject({ code: "ERR_NOT_FOUND" });
    await expect(openFileSource(t.dir, [])).rejects.toMatchObject({ code: "ERR_NOT_FOUND" });
  });
});

describe("replay through the terminal emulator", () => {
  it("shows the screen at any moment, seeks back and forth, and finds when a text appeared", async () => {
    const k = tempDirWithKey();
    cleanups.push(k.cleanup);
    const s = await open(SESSIONS_DIR, k.key);
    const row = (await s.list({ ...all, filter: "rm -rf" })).rows.find((r) => r.id === "pty-exit-status.log")!;
    const model = await loadReplay(s, row);
    try {
      expect([model.cols, model.rows]).toEqual([80, 24]);
      expect(model.problem).toBeNull();
      const rm = model.commands.find((c) => c.text.startsWith("rm -rf"))!;
      const at = await model.seek(rm.atMicros);
      expect(at.lines.join("\n")).toContain("$ rm -rf /tmp/build-cache");
      const start = await model.seek(0);
      expect(start.lines.join("\n")).not.toContain("rm -rf");
      const end = await model.seek(model.duration);
      expect(end.lines.join("\n")).toContain("uname");
      const found = model.search("RM -RF /tmp/build");
      expect(found).toHaveLength(1);
      expect(found[0]!).toBeLessThanOrEqual(rm.atMicros);
      expect((await model.seek(found[0]!)).lines.join("\n")).toContain("rm -rf /tmp/build");
      expect((await model.seek(found[0]! - 1)).lines.join("\n")).not.toContain("rm -rf /tmp/build");
    } finally {
      model.dispose();
    }
  });
});

describe("decrypted zips", () => {
  it("lists a zip on its own, and once only next to the capture it came from", async () => {
    const k = tempDirWithKey();
    cleanups.push(k.cleanup);
    const dir = join(k.dir, "rec");
    mkdirSync(dir);
    copyFileSync(join(SESSIONS_DIR, "pty-exit0.log"), join(dir, "a.log"));
    copyFileSync(join(SESSIONS_DIR, "pty-exit-status.log"), join(dir, "b.log"));
    const { runCli } = await import("../../helpers/run-cli.js");
    expect((await runCli(["decrypt", "-i", k.key, "-l", join(dir, "a.log")])).code).toBe(0);
    expect((await runCli(["decrypt", "-i", k.key, "-l", join(dir, "b.log"), "-o", join(dir, "other.zip")])).code).toBe(0);
    const s = await open(dir, null);
    const ids = (await s.list(all)).rows.map((r) => r.id).sort();
    expect(ids).toEqual(["a.log", "b.log", "other.zip"]);
    expect((await s.detail("other.zip")).problem).toBeNull();
    // A zip keeps only what the server printed (no keystrokes, so no commands), and that replays.
    const model = await loadReplay(s, (await s.list({ ...all, filter: "other.zip" })).rows[0]!);
    try {
      expect(model.search("rm -rf /tmp/build-cache")).toHaveLength(1);
      expect((await model.seek(model.duration)).lines.join("\n")).toContain("uname");
    } finally {
      model.dispose();
    }
  });
});

describe("opening the viewer's source", () => {
  it("refuses a file that is no recording, and a key file that is no key, before taking the screen", async () => {
    const { openSource } = await import("../../../viewer/run-viewer.js");
    const t = tempDir();
    cleanups.push(t.cleanup);
    writeFileSync(join(t.dir, "notes.txt"), "hello\n");
    await expect(openFileSource(join(t.dir, "notes.txt"), [])).rejects.toMatchObject({ code: "ERR_BAD_INPUT" });
    await expect(openSource(SESSIONS_DIR, [join(SESSIONS_DIR, "pty-exit0.log")])).rejects.toMatchObject({ code: "ERR_SWAPPED_ARGUMENTS" });
    await expect(openSource(SESSIONS_DIR, [join(t.dir, "notes.txt")])).rejects.toMatchObject({ code: "ERR_BAD_KEY" });
    await expect(openSource(join(t.dir, "missing"), [])).rejects.toMatchObject({ code: "ERR_NOT_FOUND" });
  });
});

describe("several keys", () => {
  it("opens each recording with the key it was made for, and names the problem when none fits", async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const other = await writeKeyPair(join(t.dir, "otherkey"));
    const k = tempDirWithKey();
    cleanups.push(k.cleanup);
    const s = await openFileSource(SESSIONS_DIR, [other.privatePath, k.key]);
    sources.push(s);
    await s.indexed;
    const rows = (await s.list(all)).rows;
    expect(rows.every((r) => r.problem === null || r.problem.code !== "ERR_WRONG_KEY")).toBe(true);
    expect((await s.detail("pty-exit-status.log")).commands.some((c) => c.risky)).toBe(true);
    const { openWithKeys } = await import("../../../viewer/sources/open-with-keys.js");
    const third = await writeKeyPair(join(t.dir, "thirdkey"));
    await expect(openWithKeys(join(SESSIONS_DIR, "pty-exit0.log"), [other.privatePath, third.privatePath])).rejects.toMatchObject({ code: "ERR_WRONG_KEY" });
  });
});
