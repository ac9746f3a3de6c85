import { PassThrough } from "node:stream";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { run } from "../../cli/main.js";
import type { CliIo } from "../../cli/io.js";

export interface CliResult { code: number; stdout: string; stderr: string }

/** Runs the CLI in-process with captured output (the way most CLI tests run). */
export async function runCli(argv: string[], opts: { env?: NodeJS.ProcessEnv; stdin?: string } = {}): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d) => { out += d; });
  stderr.on("data", (d) => { err += d; });
  if (opts.stdin !== undefined) stdin.end(opts.stdin); else stdin.end();
  const io: CliIo = {
    stdout, stderr, stdin,
    env: { ...process.env, ...opts.env },
    out: (l) => { stdout.write(`${l}\n`); },
    err: (l) => { stderr.write(`${l}\n`); },
  };
  const code = await run(argv, io);
  return { code, stdout: out, stderr: err };
}

export const BIN = fileURLToPath(new URL("../../bin/ssh-log.js", import.meta.url));

/**
 * Runs the real bin/ssh-log.js with its stdout a pipe whose reader goes away after the first bytes,
 * as `ssh-log ... | head` does; returns the exit code and what it wrote on stderr.
 */
export async function runBinIntoClosedPipe(argv: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...argv], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => { stderr += d; });
  child.stdout.once("data", () => child.stdout.destroy());
  const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
  return { code, stderr };
}

/** Runs the real bin/ssh-log.js in a child process, as a user would (needs `npm run build`). */
export function runBin(argv: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => { out += d; });
    child.stderr.on("data", (d) => { err += d; });
    const t = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code) => { clearTimeout(t); resolve({ code: code ?? -1, stdout: out, stderr: err }); });
  });
}
