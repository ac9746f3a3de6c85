import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decodeKeyText, encodeKeyText, readPrivateKeyFile, readPublicKeyFile } from "../../../lib/crypto/keys.js";
import { tempDir } from "../../helpers/fixtures.js";

const t = tempDir();
afterAll(() => t.cleanup());
const key = Buffer.alloc(32, 0xab);
const text = encodeKeyText(key);

describe("key files", () => {
  it("are read tolerantly: surrounding spaces, a trailing newline or CRLF", () => {
    for (const v of [text, `${text}\n`, `  ${text}\r\n`, `\n${text}\t`]) expect(Buffer.from(decodeKeyText(v)!).equals(key)).toBe(true);
  });
  it("are read with a byte-order mark before them, as a Windows editor saves them", async () => {
    expect(Buffer.from(decodeKeyText(`\uFEFF${text}\r\n`)!).equals(key)).toBe(true);
    const p = join(t.dir, "bom-key");
    writeFileSync(p, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), { mode: 0o600 });
    expect(Buffer.from(await readPrivateKeyFile(p)).equals(key)).toBe(true);
  });
  it("refuse anything that is not 44 base64 characters of 32 bytes", () => {
    for (const v of ["", "abc", text.slice(0, 43), `${text}A`, Buffer.alloc(31).toString("base64"), Buffer.alloc(33).toString("base64"), text.replace("q", "*")]) {
      expect(decodeKeyText(v), JSON.stringify(v)).toBeNull();
    }
  });
  it("warn when a private key is readable by others, as OpenSSH does, and name it a public key when it ends in .pub", async () => {
    const p = join(t.dir, "loose");
    writeFileSync(p, text);
    chmodSync(p, 0o644);
    const warnings: string[] = [];
    await readPrivateKeyFile(p, (m) => warnings.push(m));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("chmod 600");
    expect(warnings[0]).not.toContain(text);
    chmodSync(p, 0o600);
    const none: string[] = [];
    await readPrivateKeyFile(p, (m) => none.push(m));
    expect(none).toEqual([]);
    writeFileSync(`${p}.pub`, text);
    await expect(readPrivateKeyFile(`${p}.pub`)).rejects.toMatchObject({ code: "ERR_BAD_KEY" });
    expect(Buffer.from(await readPublicKeyFile(`${p}.pub`)).equals(key)).toBe(true);
  });
  it("a private key given as the public key is refused when its .pub beside it says so", async () => {
    const { generateKeyPair } = await import("../../../lib/crypto/suite.js");
    const pair = await generateKeyPair();
    const priv = join(t.dir, "recordings-key");
    writeFileSync(priv, encodeKeyText(pair.privateKey), { mode: 0o600 });
    writeFileSync(`${priv}.pub`, encodeKeyText(pair.publicKey));
    await expect(readPublicKeyFile(priv)).rejects.toMatchObject({
      code: "ERR_BAD_KEY",
      message: `${priv} is a private key, not a public one (its public key is ${priv}.pub); recordings are encrypted to the public key, so pass ${priv}.pub.`,
    });
    expect(Buffer.from(await readPublicKeyFile(`${priv}.pub`)).equals(Buffer.from(pair.publicKey))).toBe(true);
    // A public key whose name has an unrelated .pub beside it is still a public key.
    const other = await generateKeyPair();
    const named = join(t.dir, "upstream");
    writeFileSync(named, encodeKeyText(pair.publicKey));
    writeFileSync(`${named}.pub`, encodeKeyText(other.publicKey));
    expect(Buffer.from(await readPublicKeyFile(named)).equals(Buffer.from(pair.publicKey))).toBe(true);
  });
  it("a directory or a large unrelated file is refused without reading it whole", async () => {
    mkdirSync(join(t.dir, "d"));
    await expect(readPrivateKeyFile(join(t.dir, "d"))).rejects.toMatchObject({ code: "ERR_IS_DIRECTORY" });
    const big = join(t.dir, "big");
    writeFileSync(big, Buffer.alloc(10 << 20, 0x41));
    await expect(readPrivateKeyFile(big)).rejects.toMatchObject({ code: "ERR_BAD_KEY" });
  });
});

describe("the swapped-arguments sentence", () => {
  it("names the caller's options when given, and no flags of its own otherwise", async () => {
    const { keyGivenAsLogError } = await import("../../../lib/crypto/keys.js");
    expect(keyGivenAsLogError("k", "-i KEY -l LOG").message).toBe("k is a key file, not a session; the key and the log were given the wrong way round (use -i KEY -l LOG).");
    const plain = keyGivenAsLogError("k").message;
    expect(plain).toContain("(swap them)");
    expect(plain).not.toMatch(/ -[a-z] /);
  });
});

describe("a key file given where the session belongs: the same size limit everywhere", () => {
  it("key text up to MAX_KEY_TEXT_BYTES is a swapped key for both openSession and openCaptureFile; one byte more is not", async () => {
    const { MAX_KEY_TEXT_BYTES, isKeyText } = await import("../../../lib/crypto/keys.js");
    const { openSession } = await import("../../../lib/session/open-any.js");
    const { openCaptureFile } = await import("../../../lib/session/open-capture-file.js");
    const keyFile = join(t.dir, "limit-key");
    writeFileSync(keyFile, `${text}\n`, { mode: 0o600 });
    const atLimit = join(t.dir, "at-limit.log");
    const over = join(t.dir, "over-limit.log");
    writeFileSync(atLimit, text.padEnd(MAX_KEY_TEXT_BYTES, " "));
    writeFileSync(over, text.padEnd(MAX_KEY_TEXT_BYTES + 1, " "));
    expect(isKeyText(Buffer.from(text.padEnd(MAX_KEY_TEXT_BYTES, " ")))).toBe(true);
    expect(isKeyText(Buffer.from(text.padEnd(MAX_KEY_TEXT_BYTES + 1, " ")))).toBe(false);
    await expect(openSession(atLimit)).rejects.toMatchObject({ code: "ERR_SWAPPED_ARGUMENTS" });
    await expect(openCaptureFile(atLimit, keyFile)).rejects.toMatchObject({ code: "ERR_SWAPPED_ARGUMENTS" });
    await expect(openSession(over)).rejects.not.toMatchObject({ code: "ERR_SWAPPED_ARGUMENTS" });
    await expect(openCaptureFile(over, keyFile)).rejects.not.toMatchObject({ code: "ERR_SWAPPED_ARGUMENTS" });
  });
});
