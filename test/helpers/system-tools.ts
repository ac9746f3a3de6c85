import { spawnSync } from "node:child_process";

/**
 * Runs a command inside a pseudo-terminal (util-linux `script`), as tools such as asciinema need
 * one; returns its exit status and output. Fails the test when `script` or the tool is missing.
 */
export function runInPty(command: string, timeoutMs = 20_000): { status: number | null; output: string } {
  const r = spawnSync("script", ["-qec", command, "/dev/null"], { encoding: "utf8", timeout: timeoutMs, env: { ...process.env, TERM: "xterm-256color" } });
  if (r.error) throw new Error(`could not run script(1) for ${command}: ${r.error.message}; run node scripts/ensure-system-deps.js`);
  return { status: r.status, output: r.stdout + r.stderr };
}

/** Throws (the test fails) when a system program the test relies on is not installed. */
export function requireTool(name: string): void {
  const r = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${name} is not installed; run node scripts/ensure-system-deps.js (the tests need the real ${name}).`);
}
