import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, readFileSync, readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exitCodeFor } from "../../cli/handle-error.js";
import { runCli } from "../helpers/run-cli.js";
import { SESSIONS_DIR, tempDir } from "../helpers/fixtures.js";
import { readZip } from "../helpers/read-zip.js";
import { type Entries, expectPrefixOf, expectedEntries } from "./zip-prefix.js";

const BAD_DIR = fileURLToPath(new URL("../../fixtures/bad/", import.meta.url));
const SCRIPT = fileURLToPath(new URL("../../scripts/make-bad-fixtures.js", import.meta.url));

interface Case {
  name: string; class: string; log: string; key: string; base: string | null;
  code: string | null; exit: number; output: "none" | "partial" | "complete";
  blocks?: number; packets?: number; note: string;
}
const manifest = JSON.parse(readFileSync(join(BAD_DIR, "manifest.json"), "utf8")) as { cases: Case[] };

let tmp: { dir: string; cleanup: () => void };
const bases = new Map<string, Entries>();
beforeAll(() => { tmp = tempDir(); });
afterAll(() => tmp.cleanup());

/** A 0600 copy of a key file under its own name (the name matters: .pub is refused by name). */
function keyCopy(c: Case, dir: string): string {
  const dst = join(dir, basename(c.key));
  copyFileSync(join(BAD_DIR, c.key), dst);
  chmodSync(dst, 0o600);
  return dst;
}

async function baseEntries(base: string): Promise<Entries> {
  if (!bases.has(base)) {
    const expectedDir = join(SESSIONS_DIR, `${base}.expected`);
    if (existsSync(expectedDir)) bases.set(base, expectedEntries(expectedDir));
    else {
      // A good capture of the catalogue's own (small-pty): its decryption is the reference.
      const out = join(tmp.dir, `${base}-good.zip`);
      const r = await runCli(["decrypt", "-i", keyCopy(manifest.cases.find((c) => c.name === base)!, tmp.dir), "-l", join(BAD_DIR, `${base}.log`), "-o", out]);
      expect(r.code).toBe(0);
      bases.set(base, new Map([...(await readZip(out))].map(([k, v]) => [k, v.data])));
    }
  }
  return bases.get(base)!;
}

describe("catalogue of bad inputs (fixtures/bad)", () => {
  it("is exactly what scripts/make-bad-fixtures.js writes (reproducible)", () => {
    const out = join(tmp.dir, "regenerated");
    const r = spawnSync(process.execPath, [SCRIPT, out], { encoding: "utf8", timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const committed = readdirSync(BAD_DIR).sort();
    expect(readdirSync(out).sort()).toEqual(committed);
    for (const f of committed) expect(readFileSync(join(out, f)).equals(readFileSync(join(BAD_DIR, f))), f).toBe(true);
  });

  it("covers every class the hardening issue lists", () => {
    const names = new Set(manifest.cases.map((c) => c.name));
    for (const n of ["empty", "header-only", "header-length-past-eof", "header-not-base64", "header-not-json", "header-json-array",
      "header-enc-31-bytes", "block0-length-0", "block0-length-4gib", "flip-header-json", "flip-block3-length", "flip-block3-ciphertext",
      "flip-block3-tag", "blocks-swapped-2-3", "block-duplicated", "block-dropped-middle", "key-is-public", "key-31-bytes"]) {
      expect(names.has(n), n).toBe(true);
    }
    for (const c of manifest.cases) expect(c.code === null ? 0 : exitCodeFor(c.code), c.name).toBe(c.exit);
  });

  it("inspect (no key) reads every catalogue file without an internal error, agreeing with decrypt on header damage", async () => {
    for (const c of manifest.cases.filter((x) => x.class !== "keys")) {
      const r = await runCli(["inspect", join(BAD_DIR, c.log), "--json"]);
      expect([0, 3, 5], `${c.name}: ${r.stderr}`).toContain(r.code);
      // A report on stdout whenever inspect got past the header (a cut inside the header is only an error).
      if (r.code === 0 || r.stdout !== "") expect(() => JSON.parse(r.stdout), c.name).not.toThrow();
      if (r.code !== 0) expect(r.stderr === "" && r.stdout === "", c.name).toBe(false);
      if (c.code === "ERR_BAD_HEADER" && c.class === "header" && !c.name.startsWith("header-enc-small") && !c.name.startsWith("header-json-tr")) {
        expect(r.stderr, c.name).toContain(`[${c.code}]`);
      }
      if (c.code === "ERR_EMPTY_FILE") expect([r.code, r.stderr.includes("[ERR_EMPTY_FILE]")], c.name).toEqual([5, true]);
    }
  });

  it("decrypt of the whole catalogue at once (a glob): each file's verdict as in the manifest, the worst exit code", async () => {
    const cases = manifest.cases.filter((c) => c.key === "../sessions/sshkey" && !c.log.startsWith(".."));
    const key = keyCopy(cases[0]!, tmp.dir);
    const out = join(tmp.dir, "batch");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(out);
    const r = await runCli(["decrypt", "-i", key, "-l", join(BAD_DIR, "*.log"), "-o", `${out}/`]);
    const verdict = new Map([...r.stderr.matchAll(/^(ok|partial|failed): (\S+?)(?::| ->) /gm)].map((m) => [basename(m[2]!), m[1]!]));
    expect(verdict.size).toBe(cases.length);
    for (const c of cases) {
      const want = c.output === "none" ? "failed" : c.output === "partial" ? "partial" : "ok";
      expect(verdict.get(c.log), c.name).toBe(want);
      expect(existsSync(join(out, `${c.log}-decrypted.zip`)), c.name).toBe(c.output !== "none");
    }
    expect(r.code).toBe(Math.max(...cases.map((c) => c.exit)));
    expect(readdirSync(out).filter((f) => !f.endsWith("-decrypted.zip"))).toEqual([]);
  });

  for (const c of manifest.cases) {
    it(`${c.class}: ${c.name} -> ${c.code ?? "accepted"}, exit ${c.exit} (${c.note})`, async () => {
      const dir = join(tmp.dir, c.name);
      const { mkdirSync } = await import("node:fs");
      mkdirSync(dir);
      const out = join(dir, "out.zip");
      const r = await runCli(["decrypt", "-i", keyCopy(c, dir), "-l", join(BAD_DIR, c.log), "-o", out, "--json"]);
      expect(r.code, r.stderr).toBe(c.exit);
      if (c.code === null) expect(r.stderr).not.toMatch(/\[ERR_/);
      else expect(r.stderr).toContain(`[${c.code}]`);
      // Never a temporary or partial file left behind.
      expect(readdirSync(dir).filter((f) => f !== basename(c.key) && f !== "out.zip")).toEqual([]);
      if (c.output === "none") {
        expect(existsSync(out)).toBe(false);
        return;
      }
      const json = JSON.parse(r.stdout) as { complete: boolean; blocks: number; packets: number; error: { code: string } | null };
      expect(json.complete).toBe(c.output === "complete");
      expect(json.error?.code ?? null).toBe(c.code);
      expect({ blocks: json.blocks, packets: json.packets }).toEqual({ blocks: c.blocks, packets: c.packets });
      const got = new Map([...(await readZip(out))].map(([k, v]) => [k, v.data]));
      if (c.base !== null) expectPrefixOf(got, await baseEntries(c.base));
    });
  }
});
