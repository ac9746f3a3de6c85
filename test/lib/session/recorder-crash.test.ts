import { spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { encodeKeyText } from "../../../lib/crypto/keys.js";
import { generateKeyPair } from "../../../lib/crypto/suite.js";
import { ErrorCode } from "../../../lib/errors.js";
import { openCapture } from "../../../lib/session/open-capture.js";
import { writeDecryptedZip } from "../../../lib/outputs/zip.js";
import { tempDir } from "../../helpers/fixtures.js";
import { readZip } from "../../helpers/read-zip.js";

const CHILD = fileURLToPath(new URL("./recorder-crash-child.mjs", import.meta.url));
const BUILT = fileURLToPath(new URL("../../../dist/lib/session/recorder.js", import.meta.url));
const SOURCE = fileURLToPath(new URL("../../../lib/session/recorder.ts", import.meta.url));

let keys: { privateKey: Uint8Array; publicKey: Uint8Array };
beforeAll(async () => {
  // The child runs the compiled recorder, as a deployed proxy would.
  if (!existsSync(BUILT) || statSync(BUILT).mtimeMs < statSync(SOURCE).mtimeMs) {
    throw new Error(`${BUILT} is missing or older than ${SOURCE}; run npm run build first.`);
  }
  keys = await generateKeyPair();
});

/** Starts the child; resolves with its stdout lines when it exits (or is killed by `until`). */
function runChild(path: string, mode: "kill" | "efbig", until?: (lines: string[]) => boolean): Promise<{ lines: string[]; signal: NodeJS.Signals | null; code: number | null }> {
  const args = [CHILD, BUILT, path, encodeKeyText(keys.publicKey), mode];
  const child = mode === "efbig"
    ? spawn("sh", ["-c", `ulimit -f 64 && exec "${process.execPath}" "$@"`, "sh", ...args], { stdio: ["ignore", "pipe", "inherit"] })
    : spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  const lines: string[] = [];
  let rest = "";
  const guard = setTimeout(() => child.kill("SIGKILL"), 20_000);
  child.stdout.on("data", (d: Buffer) => {
    const parts = (rest + d.toString()).split("\n");
    rest = parts.pop()!;
    lines.push(...parts);
    if (until?.(lines)) child.kill("SIGKILL");
  });
  return new Promise((resolve) => child.on("close", (code, signal) => { clearTimeout(guard); resolve({ lines, signal, code }); }));
}

async function decryptedText(path: string): Promise<{ text: string; error: string | null }> {
  const zipPath = `${path}.zip`;
  const s = await openCapture(path, { privateKey: keys.privateKey });
  const r = await writeDecryptedZip(s, zipPath);
  return { text: (await readZip(zipPath)).get("term_data.txt")!.data.toString(), error: r.outcome.error?.code ?? null };
}

describe("recorder crash safety", () => {
  it("a recorder killed with SIGKILL mid-session leaves a capture that decrypts up to its last flush, with no termination data", async () => {
    const tmp = tempDir();
    try {
      const path = join(tmp.dir, "killed.log");
      let lastFlushed = 0;
      const r = await runChild(path, "kill", (lines) => {
        const m = /^flushed (\d+)$/.exec(lines.at(-1) ?? "");
        if (m) lastFlushed = Number(m[1]);
        return lastFlushed >= 2000;
      });
      expect(r.signal).toBe("SIGKILL");
      expect(lastFlushed).toBeGreaterThanOrEqual(2000);
      const { text, error } = await decryptedText(path);
      // The kill may land inside the write of a later block: that shows as a cut after the flush point.
      expect([null, ErrorCode.Truncated]).toContain(error);
      const got = [...text.matchAll(/line (\d{6}) x+\r\n/g)].map((m) => Number(m[1]));
      expect(got.length).toBeGreaterThanOrEqual(lastFlushed);
      expect(got).toEqual(Array.from({ length: got.length }, (_, i) => i));
      if (error === null) expect(text.endsWith("\nSession has no termination data\n")).toBe(true);
    } finally {
      tmp.cleanup();
    }
  });

  it("a disk that refuses writes (file size limit) is reported by 'error', flush and close, and what was written stays readable", async () => {
    const tmp = tempDir();
    try {
      const path = join(tmp.dir, "efbig.log");
      const r = await runChild(path, "efbig");
      expect(r.code).toBe(0);
      expect(r.lines).toContain(`error ${ErrorCode.Output}`);
      expect(r.lines).toContain(`flush failed ${ErrorCode.Output}`);
      expect(r.lines).toContain(`close failed ${ErrorCode.Output}`);
      expect(statSync(path).size).toBe(64 * 512);
      const flushed = Math.max(...r.lines.map((l) => /^flushed (\d+)$/.exec(l)).filter((m) => m !== null).map((m) => Number(m![1])));
      const { text, error } = await decryptedText(path);
      expect(error).toBe(ErrorCode.Truncated);
      const got = [...text.matchAll(/line (\d{6}) x+\r\n/g)].map((m) => Number(m[1]));
      expect(got.length).toBeGreaterThanOrEqual(flushed);
      expect(got).toEqual(Array.from({ length: got.length }, (_, i) => i));
    } finally {
      tmp.cleanup();
    }
  });
});
