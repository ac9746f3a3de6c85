import { readdirSync, readlinkSync } from "node:fs";

/**
 * The files this process holds open (its /proc/self/fd links), one entry per descriptor, for
 * tests that check a file is released.
 *
 * @example expect(openFiles()).not.toContain(path);
 */
export function openFiles(): string[] {
  const out: string[] = [];
  for (const fd of readdirSync("/proc/self/fd")) {
    try { out.push(readlinkSync(`/proc/self/fd/${fd}`)); } catch { /* closed meanwhile */ }
  }
  return out;
}
