import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";

/** The entries of a decrypted zip (or of a `.expected/` folder), by name. */
export type Entries = Map<string, Buffer>;

export function expectedEntries(dir: string): Entries {
  return new Map(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f))] as const));
}

/** Server data inside term_data.txt: after the start line, as long as term_times.txt says. */
function ptyParts(e: Entries): { data: Buffer; times: string[] } {
  const td = e.get("term_data.txt")!;
  const times = e.get("term_times.txt")!.toString("latin1").split("\n").filter((l) => l !== "");
  const n = times.reduce((s, l) => s + Number(l.split(" ")[1]), 0);
  const start = td.indexOf(0x0a) + 1;
  return { data: td.subarray(start, start + n), times };
}

/**
 * Asserts that a partial zip holds only data the good one holds, in the same order: every byte of
 * output authenticated. For PTY sessions the start and end lines come from the (cleartext) header.
 */
export function expectPrefixOf(got: Entries, good: Entries): void {
  expect([...got.keys()].sort()).toEqual([...good.keys()].sort());
  if (good.has("term_data.txt")) {
    const g = ptyParts(got);
    const w = ptyParts(good);
    expect(w.data.subarray(0, g.data.length).equals(g.data)).toBe(true);
    expect(g.times).toEqual(w.times.slice(0, g.times.length));
    return;
  }
  for (const name of ["data_from_client.txt", "data_from_server.txt"]) {
    const g = got.get(name)!;
    expect(good.get(name)!.subarray(0, g.length).equals(g)).toBe(true);
  }
}
