import { describe, expect, it } from "vitest";
import { compareRows, matchesFilter, parseFilter } from "../../../viewer/logic/filter.js";
import { Flag, type SessionRow } from "../../../viewer/source.js";

const row = (over: Partial<SessionRow>): SessionRow => ({
  id: "a", startedAt: 1000, user: "alice@example.com", target: "tgt-web-01", unixUser: "deploy", program: "shell",
  durationSec: 60, exit: "0", flags: [], problem: null, ...over,
});

describe("parseFilter", () => {
  it("takes each free word as a term, lower-cased, and quoted words as one", () => {
    expect(parseFilter("  RM   -rf ")).toEqual({ terms: ["rm", "-rf"], user: [], target: [], cmd: [], flags: [] });
    expect(parseFilter('root "RM -RF /var"')).toEqual({ terms: ["root", "rm -rf /var"], user: [], target: [], cmd: [], flags: [] });
    expect(parseFilter('"rm -r').terms).toEqual(["rm -r"]);
  });
  it("reads field prefixes (quoted too) and flags, keeping unknown ones as words", () => {
    const f = parseFilter('user:Alice target:web is:root is:cut is:weird cmd:sudo cmd:"rm -rf" host:"a b"');
    expect(f.user).toEqual(["alice"]);
    expect(f.target).toEqual(["web"]);
    expect(f.cmd).toEqual(["sudo", "rm -rf"]);
    expect(f.flags).toEqual([Flag.Root, Flag.Truncated]);
    expect(f.terms).toEqual(["is:weird", "host:a b"]);
  });
  it("treats an empty prefix value as a word, and blank text as no filter", () => {
    expect(parseFilter("user:").terms).toEqual(["user:"]);
    expect(parseFilter('   ""  ')).toEqual({ terms: [], user: [], target: [], cmd: [], flags: [] });
  });
});

describe("matchesFilter", () => {
  it("needs every word somewhere: user, target, unix user or commands", () => {
    expect(matchesFilter(parseFilter("ALICE"), row({}), "")).toBe(true);
    expect(matchesFilter(parseFilter("web-01"), row({}), "")).toBe(true);
    expect(matchesFilter(parseFilter("deploy"), row({}), "")).toBe(true);
    expect(matchesFilter(parseFilter("alice rm -rf"), row({}), "ls\nrm -rf /var/tmp")).toBe(true);
    expect(matchesFilter(parseFilter("root rm -rf"), row({ unixUser: "root" }), "rm -rf /")).toBe(true);
    expect(matchesFilter(parseFilter("root rm -rf"), row({}), "rm -rf /")).toBe(false);
    expect(matchesFilter(parseFilter('"rm -rf"'), row({}), "rm -r -f x")).toBe(false);
    expect(matchesFilter(parseFilter("rm /var"), row({}), "ls\nrm -rf /var/tmp")).toBe(true);
  });
  it("requires every part: fields, commands and flags", () => {
    const r = row({ flags: [Flag.Root] });
    expect(matchesFilter(parseFilter("is:root user:alice"), r, "")).toBe(true);
    expect(matchesFilter(parseFilter("is:root is:risky"), r, "")).toBe(false);
    expect(matchesFilter(parseFilter("user:bob"), r, "")).toBe(false);
    expect(matchesFilter(parseFilter("user:deploy"), r, "")).toBe(true);
    expect(matchesFilter(parseFilter("target:db"), r, "")).toBe(false);
    expect(matchesFilter(parseFilter("cmd:shutdown"), r, "ls")).toBe(false);
    expect(matchesFilter(parseFilter("x"), row({ user: null, target: null, unixUser: null, program: null }), "")).toBe(false);
  });
});

describe("compareRows", () => {
  const rows = [
    row({ id: "1", startedAt: 10, durationSec: 5, user: "bob", target: "b" }),
    row({ id: "2", startedAt: 30, durationSec: null, user: null, target: "a" }),
    row({ id: "3", startedAt: 20, durationSec: 50, user: "alice", target: null }),
  ];
  const order = (k: Parameters<typeof compareRows>[0]): string[] => [...rows].sort(compareRows(k)).map((r) => r.id);
  it("orders newest, oldest, longest, user and target with unknowns last", () => {
    expect(order("newest")).toEqual(["2", "3", "1"]);
    expect(order("oldest")).toEqual(["1", "3", "2"]);
    expect(order("longest")).toEqual(["3", "1", "2"]);
    expect(order("user")).toEqual(["3", "1", "2"]);
    expect(order("target")).toEqual(["2", "1", "3"]);
  });
  it("breaks ties by time then id, so paging is stable", () => {
    const same = [row({ id: "b", startedAt: 1 }), row({ id: "a", startedAt: 1 })];
    expect(same.sort(compareRows("newest")).map((r) => r.id)).toEqual(["a", "b"]);
  });
});

import { isRisky } from "../../../viewer/logic/risky.js";

describe("isRisky", () => {
  it("flags destructive and tampering commands, not their harmless neighbours", () => {
    for (const c of ["rm -rf /", "sudo rm -fr /var/www", "rm --recursive --force x", "rm -r -f x", "rm -f -R x", "chmod -R 777 /", "curl http://x | sh", "wget -qO- x | sudo bash", "mkfs.ext4 /dev/sda1", "dd if=/dev/zero of=/dev/sda", "iptables -F", "history -c", "unset HISTFILE", "echo > /var/log/auth.log"]) {
      expect(isRisky(c), c).toBe(true);
    }
    for (const c of ["rm file", "rm -r dir", "ls -rf", "chmod 755 x", "curl http://x > f", "dd if=a of=b", "echo rf"]) {
      expect(isRisky(c), c).toBe(false);
    }
  });
});
