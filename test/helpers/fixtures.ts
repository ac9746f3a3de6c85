import { chmodSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeKeyText } from "../../lib/crypto/keys.js";

/** The repository's copy of the independent implementation's captures. */
export const SESSIONS_DIR = fileURLToPath(new URL("../../fixtures/sessions/", import.meta.url));

export interface FixtureCase { name: string; log: string; expectedDir: string; expected: Map<string, Buffer>; pty: boolean }

/** Every capture fixture with its expected zip entries. */
export function fixtureCases(): FixtureCase[] {
  return readdirSync(SESSIONS_DIR)
    .filter((f) => f.endsWith(".log"))
    .sort()
    .map((f) => {
      const name = f.slice(0, -4);
      const expectedDir = join(SESSIONS_DIR, `${name}.expected`);
      const expected = new Map(readdirSync(expectedDir).map((e) => [e, readFileSync(join(expectedDir, e))] as const));
      return { name, log: join(SESSIONS_DIR, f), expectedDir, expected, pty: expected.has("term_data.txt") };
    });
}

/** The fixtures' private key, raw. */
export function fixtureKey(): Uint8Array {
  return decodeKeyText(readFileSync(join(SESSIONS_DIR, "sshkey"), "latin1"))!;
}

/**
 * The prefix of the tests' temp folders. It ends in "." rather than "-": mkdtemp's random letters
 * follow it, and a path such as /tmp/ssh-log-test-kITvF3 holds "-k", which the tests that check a
 * message names no option of that letter took for one.
 */
const TEMP_PREFIX = "ssh-log-test.";

/** A temp folder holding a 0600 copy of the fixture key (git does not keep file modes). */
export function tempDirWithKey(): { dir: string; key: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), TEMP_PREFIX));
  const key = join(dir, "sshkey");
  copyFileSync(join(SESSIONS_DIR, "sshkey"), key);
  chmodSync(key, 0o600);
  copyFileSync(join(SESSIONS_DIR, "sshkey.pub"), `${key}.pub`);
  return { dir, key, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A temp folder, removed by the returned function. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), TEMP_PREFIX));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
