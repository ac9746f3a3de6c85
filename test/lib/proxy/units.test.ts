import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { openFiles } from "../../helpers/open-files.js";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { encodeKeyText } from "../../../lib/crypto/keys.js";
import { generateKeyPair } from "../../../lib/crypto/suite.js";
import { ErrorCode } from "../../../lib/errors.js";
import { fingerprintOf, parseAuthorizedKeys, readAuthorizedKeys } from "../../../lib/proxy/authorized-keys.js";
import { parseHostPort } from "../../../lib/proxy/host-port.js";
import { rfc3339 } from "../../../lib/proxy/program-index.js";
import { decodeTerminalModes } from "../../../lib/proxy/pty-modes.js";
import { startProxy } from "../../../lib/proxy/start-proxy.js";
import { tempDir } from "../../helpers/fixtures.js";
import { makeSshKey } from "../../helpers/sshd.js";

describe("authorized_keys", () => {
  it("reads keys and comments, fingerprints them as ssh-keygen does, and skips lines with options", () => {
    const tmp = tempDir();
    try {
      const a = makeSshKey(join(tmp.dir, "a"), "alice@laptop");
      const b = makeSshKey(join(tmp.dir, "b"), "");
      const aPub = readFileSync(`${a}.pub`, "utf8").trim();
      const bPub = readFileSync(`${b}.pub`, "utf8").trim();
      const text = [
        "# team keys",
        "",
        aPub,
        `command="/bin/date",no-pty ${bPub}`,
        `restrict ${bPub}`,
        "ssh-ed25519 not-base64!! broken",
        "ssh-foo AAAAB3NzaC1yc2EAAAADAQABAAABAQ unknown type",
        `  ${bPub}  `,
      ].join("\n");
      const { keys, skipped } = parseAuthorizedKeys(text);
      expect(keys.map((k) => [k.line, k.comment])).toEqual([[3, "alice@laptop"], [8, ""]]);
      const sshKeygen = (f: string): string => execFileSync("ssh-keygen", ["-l", "-f", f], { encoding: "utf8" }).split(" ")[1]!;
      expect(keys[0]!.fingerprint).toBe(sshKeygen(`${a}.pub`));
      expect(keys[1]!.fingerprint).toBe(sshKeygen(`${b}.pub`));
      expect(skipped.map((s) => s.line)).toEqual([4, 5, 6, 7]);
      expect(skipped[0]!.reason).toMatch(/options/);
      expect(skipped[3]!.reason).toMatch(/not supported/);
      expect(fingerprintOf(keys[0]!.blob)).toBe(keys[0]!.fingerprint);
    } finally {
      tmp.cleanup();
    }
  });

  it("reads per-user files with %u, treats a missing one as no keys, and never lets a login name leave the folder", async () => {
    const tmp = tempDir();
    try {
      const a = makeSshKey(join(tmp.dir, "a"), "alice@laptop");
      writeFileSync(join(tmp.dir, "alice"), readFileSync(`${a}.pub`));
      const pattern = join(tmp.dir, "%u");
      expect((await readAuthorizedKeys(pattern, "alice")).keys).toHaveLength(1);
      expect((await readAuthorizedKeys(pattern, "bob")).keys).toEqual([]);
      expect((await readAuthorizedKeys(pattern, "../a.pub")).keys).toEqual([]);
      await expect(readAuthorizedKeys(join(tmp.dir, "missing.pub"), "alice")).rejects.toMatchObject({ code: ErrorCode.NotFound });
    } finally {
      tmp.cleanup();
    }
  });
});

describe("terminal modes", () => {
  it("decodes opcodes by name, IUTF8 and speeds included, and stops at TTY_OP_END or an undefined opcode", () => {
    const enc = (pairs: Array<[number, number]>, tail: number[] = [0]): Buffer =>
      Buffer.concat([...pairs.map(([op, v]) => { const b = Buffer.alloc(5); b[0] = op; b.writeUInt32BE(v, 1); return b; }), Buffer.from(tail)]);
    expect(decodeTerminalModes(enc([[1, 3], [42, 1], [53, 0], [128, 38400], [200 - 100, 7]]))).toEqual([["VINTR", 3], ["IUTF8", 1], ["ECHO", 0], ["TTY_OP_ISPEED", 38400], ["OPCODE_100", 7]]);
    expect(decodeTerminalModes(enc([[53, 1]], [160, 0, 0, 0, 1, 0]))).toEqual([["ECHO", 1]]);
    expect(decodeTerminalModes(Buffer.from([53, 0, 0]))).toEqual([]);
    expect(decodeTerminalModes(Buffer.alloc(0))).toEqual([]);
  });
});

describe("host:port and times", () => {
  it("parses --listen and --upstream forms and refuses the rest with ERR_USAGE", () => {
    expect(parseHostPort("127.0.0.1:2222", "--listen")).toEqual({ host: "127.0.0.1", port: 2222 });
    expect(parseHostPort("db.internal", "--upstream", 22)).toEqual({ host: "db.internal", port: 22 });
    expect(parseHostPort("[::1]:2200", "--listen")).toEqual({ host: "::1", port: 2200 });
    expect(parseHostPort(":2222", "--listen")).toEqual({ host: "127.0.0.1", port: 2222 });
    for (const bad of ["host", "host:99999", "host:22x", "a:b:c", ""]) {
      expect(() => parseHostPort(bad, "--listen")).toThrow(expect.objectContaining({ code: ErrorCode.Usage }));
    }
  });

  it("writes Logpush-style RFC 3339 times", () => {
    expect(rfc3339(new Date(Date.UTC(2026, 9, 1, 1, 13, 58, 999)))).toBe("2026-10-01T01:13:58Z");
  });
});

describe("startProxy", () => {
  it("a --listen address in use fails with ERR_USAGE and leaves no file open (the index is closed again)", async () => {
    const tmp = tempDir();
    try {
      const key = makeSshKey(join(tmp.dir, "host"), "proxy-host");
      writeFileSync(join(tmp.dir, "users.pub"), readFileSync(`${key}.pub`));
      const { publicKey } = await generateKeyPair();
      writeFileSync(join(tmp.dir, "sshkey.pub"), encodeKeyText(publicKey));
      const opts = {
        listen: { host: "127.0.0.1", port: 0 }, upstream: { host: "127.0.0.1", port: 1 },
        hostKeyPath: key, authorizedKeysPath: join(tmp.dir, "users.pub"), upstreamKeyPath: key,
        publicKeyPath: join(tmp.dir, "sshkey.pub"), outDir: join(tmp.dir, "rec"), log: () => undefined,
      };
      const first = await startProxy(opts);
      const index = join(tmp.dir, "rec", "index.ndjson");
      const openOnIndex = (): number => openFiles().filter((f) => f === index).length;
      expect(openOnIndex()).toBe(1);
      for (let i = 0; i < 3; i++) {
        await expect(startProxy({ ...opts, listen: { host: "127.0.0.1", port: first.port } })).rejects.toMatchObject({ code: ErrorCode.Usage });
      }
      expect(openOnIndex()).toBe(1);
      await first.close();
      expect(openOnIndex()).toBe(0);
    } finally {
      tmp.cleanup();
    }
  });
});
