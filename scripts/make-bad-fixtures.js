#!/usr/bin/env node
// Writes fixtures/bad/: a catalogue of hostile inputs, each made from the good captures in
// fixtures/sessions/ (or sealed here, deterministically, for the fixture key), and manifest.json
// saying exactly what `ssh-log decrypt` must do with each: error code, exit code, and how much
// authenticated output it keeps. Reproducible: the same bytes on every run (test/catalogue checks
// that the committed files are what this script writes).
//
//   node scripts/make-bad-fixtures.js [OUT_DIR]     (default: fixtures/bad)
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from "@hpke/core";
import { Chacha20Poly1305 } from "@hpke/chacha20poly1305";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SESSIONS = join(ROOT, "fixtures", "sessions");

const u32 = (n) => { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0, 0); return b; };
const ab = (b) => { const out = new ArrayBuffer(b.length); new Uint8Array(out).set(b); return out; };

/** A capture split into its parts: header bytes (with length), JSON, and framed blocks. */
function split(file) {
  const n = file.readUInt32BE(0);
  const header = file.subarray(0, 4 + n);
  const json = JSON.parse(Buffer.from(file.subarray(4, 4 + n).toString("latin1"), "base64").toString("utf8"));
  const blocks = [];
  for (let at = 4 + n; at < file.length;) {
    const len = file.readUInt32BE(at);
    blocks.push(file.subarray(at, at + 4 + len));
    at += 4 + len;
  }
  return { header, json, blocks };
}

/** A header (u32 length + base64) for `text`, which need not be JSON. */
const rawHeader = (text) => { const b64 = Buffer.from(text, "utf8").toString("base64"); return Buffer.concat([u32(b64.length), Buffer.from(b64, "latin1")]); };
const jsonHeader = (obj) => rawHeader(JSON.stringify(obj));

/** One packet: u32 total, u8 source, u32 code, u64 elapsed, data (FORMAT.md). */
function packet(source, elapsed, data, opts = {}) {
  const d = Buffer.from(data);
  const b = Buffer.alloc(17 + d.length);
  b.writeUInt32BE(opts.total ?? 13 + d.length, 0);
  b[4] = source;
  b.writeUInt32BE(opts.code ?? 0, 5);
  b.writeBigUInt64BE(BigInt(elapsed), 9);
  d.copy(b, 17);
  return b;
}

/** Seals plaintext blocks for the fixture key with a fixed ephemeral key: the same bytes every run. */
async function seal(blocks, label) {
  const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Chacha20Poly1305() });
  const pub = Buffer.from(readFileSync(join(SESSIONS, "sshkey.pub"), "latin1").trim(), "base64");
  const recipientPublicKey = await suite.kem.importKey("raw", ab(pub), true);
  const ekm = ab(createHash("sha256").update(`ssh-log bad fixture: ${label}`).digest());
  const ctx = await suite.createSenderContext({ recipientPublicKey, ekm });
  const framed = [];
  for (const b of blocks) { const ct = Buffer.from(await ctx.seal(ab(b))); framed.push(Buffer.concat([u32(ct.length), ct])); }
  return { enc: Buffer.from(ctx.enc).toString("hex"), blocks: framed };
}

/** A small PTY session, one packet per block: the base of the reorder and packet cases. */
const SMALL_PACKETS = [
  packet(1, 0, "Welcome to host\r\n$ "),
  packet(0, 1_200_000, "ls\r"),
  packet(1, 1_210_000, "ls\r\n"),
  packet(1, 1_250_000, "notes.txt  report.pdf\r\n$ "),
  packet(0, 3_000_000, "exit\r"),
  packet(1, 3_010_000, "exit\r\nlogout\r\n"),
];
const SMALL_META = {
  started_at: 1773273918,
  pty: { term: "xterm-256color", width: 80, height: 24, modes: [["ECHO", 1]] },
  exit_data: { timestamp: 1773273922, status: 0, signal: null, core_dumped: false, error_msg: null },
};

async function sealedCapture(label, plainBlocks, meta = SMALL_META) {
  const s = await seal(plainBlocks, label);
  const dataSize = s.blocks.reduce((n, b) => n + b.length, 0);
  const header = jsonHeader({ ...meta, encapsulated_key: s.enc, data_size: dataSize });
  return { header, blocks: s.blocks, file: Buffer.concat([header, ...s.blocks]) };
}

function flip(buf, at, bit) { const b = Buffer.from(buf); b[at] ^= 1 << bit; return b; }

/**
 * Every case: [name, bytes of the log (or null for a good fixture), key, expectation]. Expectation:
 * code (null: accepted), exit, output ("none": no zip; "partial"/"complete": a zip holding exactly
 * `blocks` blocks and `packets` packets that authenticated), and a note saying why.
 */
export async function makeBadFixtures() {
  const files = new Map();
  const cases = [];
  const good = (name) => readFileSync(join(SESSIONS, `${name}.log`));
  const KEY = "../sessions/sshkey";
  const add = (name, cls, bytes, expect, opts = {}) => {
    const log = opts.log ?? `${name}.log`;
    if (bytes !== null) files.set(log, bytes);
    cases.push({ name, class: cls, log, key: opts.key ?? KEY, base: opts.base ?? null, ...expect });
  };

  const small = await sealedCapture("small", SMALL_PACKETS);
  files.set("small-pty.log", small.file);
  cases.push({ name: "small-pty", class: "good", log: "small-pty.log", key: KEY, base: null, code: null, exit: 0, output: "complete", blocks: 6, packets: 6, note: "the good capture the reorder and packet cases are made from" });

  const ex = split(good("exec-empty-server"));
  const p0file = good("pty-exit0");
  const p0 = split(p0file);

  // The file as a whole, and its header.
  add("empty", "header", Buffer.alloc(0), { code: "ERR_EMPTY_FILE", exit: 5, output: "none", note: "a 0-byte file" });
  add("header-length-cut", "header", Buffer.from([0, 0]), { code: "ERR_TRUNCATED", exit: 3, output: "none", note: "ends inside the 4-byte header length; nothing can be decrypted" });
  add("header-only", "header", ex.header, { code: "ERR_TRUNCATED", exit: 3, output: "partial", blocks: 0, packets: 0, base: "exec-empty-server", note: "no blocks, but data_size says 56 bytes should follow" });
  add("header-only-no-data-size", "header", jsonHeader({ ...ex.json, data_size: 0 }), { code: null, exit: 0, output: "complete", blocks: 0, packets: 0, note: "NOT DETECTABLE: a header without blocks or data_size reads as an empty session (see SECURITY.md)" });
  add("header-length-past-eof", "header", Buffer.concat([ex.header.subarray(0, 100)]), { code: "ERR_TRUNCATED", exit: 3, output: "none", note: "the header length says 220 bytes, the file stops after 96" });
  add("header-length-zero", "header", Buffer.concat([u32(0), ex.header.subarray(4)]), { code: "ERR_BAD_HEADER", exit: 5, output: "none", note: "a header length of 0" });
  add("header-length-4gib", "header", Buffer.concat([u32(0xffffffff), ex.header.subarray(4)]), { code: "ERR_BAD_HEADER", exit: 5, output: "none", note: "a header length of 4 GiB - 1: refused before any allocation" });
  add("header-not-base64", "header", Buffer.concat([u32(8), Buffer.from("eyJ*!@#$")]), { code: "ERR_BAD_HEADER", exit: 5, output: "none", note: "characters outside base64" });
  add("header-base64-unpadded", "header", Buffer.concat([u32(6), Buffer.from("eyJhIj")]), { code: "ERR_BAD_HEADER", exit: 5, output: "none", note: "base64 whose length is not a multiple of 4" });
  add("header-not-json", "header", rawHeader("this is not JSON at all"), { code: "ERR_BAD_HEADER", exit: 5, output: "none", note: "valid base64 of text that is not JSON" });
  add("header-json-truncated", "header", rawHeader(JSON.stringify(ex.json).slice(0, 60)), { code: "ERR_BAD_HEADER", exit: 5, output: "none", note: "JSON cut in the middle" });
  add("header-json-array", "header", Buffer.concat([jsonHeader([ex.json]), ...ex.blocks]), { code: "ERR_BAD_HEADER", exit: 5, output: "none", note: "JSON of the wrong shape: an array" });
  add("header-json-string", "header", Buffer.concat([jsonHeader("started_at"), ...ex.blocks]), { code: "ERR_BAD_HEADER", exit: 5, output: "none", note: "JSON of the wrong shape: a string" });
  add("header-no-started-at", "header", Buffer.concat([jsonHeader({ ...ex.json, started_at: undefined }), ...ex.blocks]), { code: "ERR_BAD_HEADER", exit: 5, output: "none", note: "started_at missing" });
  add("header-started-at-string", "header", Buffer.concat([jsonHeader({ ...ex.json, started_at: "1773273918" }), ...ex.blocks]), { code: "ERR_BAD_HEADER", exit: 5, output: "none", note: "started_at is a string" });
  add("header-started-at-negative", "header", Buffer.concat([jsonHeader({ ...ex.json, started_at: -1 }), ...ex.blocks]), { code: "ERR_BAD_HEADER", exit: 5, output: "none", note: "started_at before 1970" });
  add("header-data-size-float", "header", Buffer.concat([jsonHeader({ ...ex.json, data_size: 5.5 }), ...ex.blocks]), { code: "ERR_BAD_HEADER", exit: 5, output: "none", note: "data_size is not a whole number" });
  add("header-pty-string", "header", Buffer.concat([jsonHeader({ ...ex.json, pty: "xterm" }), ...ex.blocks]), { code: "ERR_BAD_HEADER", exit: 5, output: "none", note: "pty is not an object" });
  add("header-pty-no-size", "header", Buffer.concat([jsonHeader({ ...ex.json, pty: { term: "xterm", modes: [] } }), ...ex.blocks]), { code: "ERR_BAD_HEADER", exit: 5, output: "none", note: "pty without width and height" });
  add("header-pty-bad-mode", "header", Buffer.concat([jsonHeader({ ...ex.json, pty: { term: "xterm", width: 80, height: 24, modes: [["ECHO"]] } }), ...ex.blocks]), { code: "ERR_BAD_HEADER", exit: 5, output: "none", note: "a pty mode that is not [name, value]" });
  add("header-exit-data-array", "header", Buffer.concat([jsonHeader({ ...ex.json, exit_data: [0] }), ...ex.blocks]), { code: "ERR_BAD_HEADER", exit: 5, output: "none", note: "exit_data is not an object" });
  add("header-exit-status-string", "header", Buffer.concat([jsonHeader({ ...ex.json, exit_data: { timestamp: 1, status: "0" } }), ...ex.blocks]), { code: "ERR_BAD_HEADER", exit: 5, output: "none", note: "exit_data.status is a string" });
  add("header-enc-31-bytes", "header", Buffer.concat([jsonHeader({ ...ex.json, encapsulated_key: ex.json.encapsulated_key.slice(2) }), ...ex.blocks]), { code: "ERR_BAD_HEADER", exit: 5, output: "none", note: "an encapsulated key of 31 bytes" });
  add("header-enc-33-bytes", "header", Buffer.concat([jsonHeader({ ...ex.json, encapsulated_key: `${ex.json.encapsulated_key}00` }), ...ex.blocks]), { code: "ERR_BAD_HEADER", exit: 5, output: "none", note: "an encapsulated key of 33 bytes" });
  add("header-enc-not-hex", "header", Buffer.concat([jsonHeader({ ...ex.json, encapsulated_key: `zz${ex.json.encapsulated_key.slice(2)}` }), ...ex.blocks]), { code: "ERR_BAD_HEADER", exit: 5, output: "none", note: "an encapsulated key that is not hex" });
  add("header-enc-small-order", "header", Buffer.concat([jsonHeader({ ...ex.json, encapsulated_key: "00".repeat(32) }), ...ex.blocks]), { code: "ERR_BAD_HEADER", exit: 5, output: "none", note: "an encapsulated key of small order (X25519 gives a zero secret)" });
  add("header-enc-replaced", "header", Buffer.concat([jsonHeader({ ...ex.json, encapsulated_key: p0.json.encapsulated_key }), ...ex.blocks]), { code: "ERR_WRONG_KEY", exit: 4, output: "none", note: "another capture's encapsulated key: block 0 does not open" });
  add("header-metadata-forged", "header", Buffer.concat([jsonHeader({ ...p0.json, started_at: 946684800, exit_data: { ...p0.json.exit_data, status: 0, timestamp: 946684900 } }), ...p0.blocks]), { code: null, exit: 0, output: "complete", blocks: 442, packets: 442, base: "pty-exit0", note: "NOT DETECTABLE: started_at and exit_data rewritten; the format does not authenticate the header (see SECURITY.md)" });

  // Block framing.
  const p0Stream = (blocks) => Buffer.concat([p0.header, ...blocks]);
  const withLength = (blocks, i, len) => blocks.map((b, j) => (j === i ? Buffer.concat([u32(len), b.subarray(4)]) : b));
  add("block0-length-0", "framing", Buffer.concat([ex.header, u32(0), ex.blocks[0].subarray(4)]), { code: "ERR_BLOCK_AUTH", exit: 3, output: "none", note: "block 0 claims 0 bytes" });
  add("block0-length-4gib", "framing", Buffer.concat([ex.header, u32(0xffffffff), ex.blocks[0].subarray(4)]), { code: "ERR_LIMIT", exit: 3, output: "none", note: "block 0 claims 4 GiB - 1: refused before any allocation" });
  add("block5-length-0", "framing", p0Stream(withLength(p0.blocks, 5, 0)), { code: "ERR_BLOCK_AUTH", exit: 3, output: "partial", blocks: 5, packets: 5, base: "pty-exit0", note: "block 5 claims 0 bytes; blocks 0-4 kept" });
  add("block5-length-15", "framing", p0Stream(withLength(p0.blocks, 5, 15)), { code: "ERR_BLOCK_AUTH", exit: 3, output: "partial", blocks: 5, packets: 5, base: "pty-exit0", note: "block 5 claims 15 bytes, shorter than a tag" });
  add("block5-length-4gib", "framing", p0Stream(withLength(p0.blocks, 5, 0xffffffff)), { code: "ERR_LIMIT", exit: 3, output: "partial", blocks: 5, packets: 5, base: "pty-exit0", note: "block 5 claims 4 GiB - 1" });
  add("block5-length-past-eof", "framing", p0Stream(withLength(p0.blocks, 5, 1_000_000)), { code: "ERR_TRUNCATED", exit: 3, output: "partial", blocks: 5, packets: 5, base: "pty-exit0", note: "block 5 claims 1 MB, the file ends first" });
  add("block5-length-short", "framing", p0Stream(withLength(p0.blocks, 5, p0.blocks[5].length - 4 - 1)), { code: "ERR_BLOCK_AUTH", exit: 3, output: "partial", blocks: 5, packets: 5, base: "pty-exit0", note: "block 5 claims one byte fewer than it has" });
  add("trailing-garbage-3", "framing", Buffer.concat([p0file, Buffer.from([0, 0, 1])]), { code: "ERR_TRUNCATED", exit: 3, output: "partial", blocks: 442, packets: 442, base: "pty-exit0", note: "three stray bytes after the last block: a cut length prefix" });
  add("trailing-garbage-block", "framing", Buffer.concat([p0file, u32(40), Buffer.alloc(40, 0x41)]), { code: "ERR_BLOCK_AUTH", exit: 3, output: "partial", blocks: 442, packets: 442, base: "pty-exit0", note: "a well-framed forged block appended" });

  // Single bit flips, one of each class (test/catalogue flips every bit of a small file too).
  const ex0 = ex.blocks[0];
  const exFile = Buffer.concat([ex.header, ex0]);
  add("flip-header-length", "bitflip", flip(exFile, 2, 0), { code: "ERR_TRUNCATED", exit: 3, output: "none", note: "header length 220 -> 65756: the file ends inside the header" });
  add("flip-header-json", "bitflip", flip(exFile, 4, 1), { code: "ERR_BAD_HEADER", exit: 5, output: "none", note: "the first base64 character flipped: the JSON no longer starts with {" });
  add("flip-header-enc", "bitflip", Buffer.concat([jsonHeader({ ...ex.json, encapsulated_key: `${ex.json.encapsulated_key.slice(0, 63)}${ex.json.encapsulated_key[63] === "c" ? "d" : "c"}` }), ex0]), { code: "ERR_WRONG_KEY", exit: 4, output: "none", note: "one hex digit of the encapsulated key changed" });
  add("flip-block0-length", "bitflip", Buffer.concat([ex.header, flip(ex0, 3, 2)]), { code: "ERR_WRONG_KEY", exit: 4, output: "none", note: "block 0 length 52 -> 48: block 0 does not open, which looks exactly like a wrong key" });
  add("flip-block0-ciphertext", "bitflip", Buffer.concat([ex.header, flip(ex0, 10, 7)]), { code: "ERR_WRONG_KEY", exit: 4, output: "none", note: "a ciphertext bit of block 0: indistinguishable from a wrong key" });
  add("flip-block0-tag", "bitflip", Buffer.concat([ex.header, flip(ex0, ex0.length - 1, 0)]), { code: "ERR_WRONG_KEY", exit: 4, output: "none", note: "a tag bit of block 0" });
  add("flip-block3-length", "bitflip", p0Stream(p0.blocks.map((b, j) => (j === 3 ? flip(b, 3, 0) : b))), { code: "ERR_BLOCK_AUTH", exit: 3, output: "partial", blocks: 3, packets: 3, base: "pty-exit0", note: "block 3 length off by one" });
  add("flip-block3-ciphertext", "bitflip", p0Stream(p0.blocks.map((b, j) => (j === 3 ? flip(b, 6, 3) : b))), { code: "ERR_BLOCK_AUTH", exit: 3, output: "partial", blocks: 3, packets: 3, base: "pty-exit0", note: "a ciphertext bit of block 3" });
  add("flip-block3-tag", "bitflip", p0Stream(p0.blocks.map((b, j) => (j === 3 ? flip(b, b.length - 8, 5) : b))), { code: "ERR_BLOCK_AUTH", exit: 3, output: "partial", blocks: 3, packets: 3, base: "pty-exit0", note: "a tag bit of block 3" });

  // Blocks reordered, duplicated, dropped.
  const sm = small.blocks;
  const smFile = (blocks) => Buffer.concat([small.header, ...blocks]);
  add("blocks-swapped-0-1", "order", smFile([sm[1], sm[0], ...sm.slice(2)]), { code: "ERR_WRONG_KEY", exit: 4, output: "none", note: "block 1 first: sequence 0 does not open it" });
  add("blocks-swapped-2-3", "order", smFile([sm[0], sm[1], sm[3], sm[2], sm[4], sm[5]]), { code: "ERR_BLOCK_AUTH", exit: 3, output: "partial", blocks: 2, packets: 2, base: "small-pty", note: "blocks 2 and 3 swapped" });
  add("block-duplicated", "order", smFile([sm[0], sm[1], sm[1], ...sm.slice(2)]), { code: "ERR_BLOCK_AUTH", exit: 3, output: "partial", blocks: 2, packets: 2, base: "small-pty", note: "block 1 repeated (a replay)" });
  add("block-dropped-middle", "order", smFile([sm[0], sm[1], sm[3], sm[4], sm[5]]), { code: "ERR_BLOCK_AUTH", exit: 3, output: "partial", blocks: 2, packets: 2, base: "small-pty", note: "block 2 removed" });
  add("block-dropped-last", "order", smFile(sm.slice(0, 5)), { code: "ERR_TRUNCATED", exit: 3, output: "partial", blocks: 5, packets: 5, base: "small-pty", note: "the last block removed: caught only by data_size" });
  const lastDroppedSize = sm.slice(0, 5).reduce((n, b) => n + b.length, 0);
  const smJson = split(small.file).json;
  add("block-dropped-last-data-size-forged", "order", Buffer.concat([jsonHeader({ ...smJson, data_size: lastDroppedSize, exit_data: null }), ...sm.slice(0, 5)]), { code: null, exit: 0, output: "complete", blocks: 5, packets: 5, base: "small-pty", note: "NOT DETECTABLE: last block removed and the cleartext header rewritten to match (see SECURITY.md)" });
  add("block-from-other-capture", "order", smFile([sm[0], sm[1], p0.blocks[2], ...sm.slice(3)]), { code: "ERR_BLOCK_AUTH", exit: 3, output: "partial", blocks: 2, packets: 2, base: "small-pty", note: "block 2 spliced in from another capture" });

  // Cuts.
  add("cut-inside-block3", "truncation", smFile([...sm.slice(0, 3), sm[3].subarray(0, 20)]), { code: "ERR_TRUNCATED", exit: 3, output: "partial", blocks: 3, packets: 3, base: "small-pty", note: "the file ends inside block 3" });
  add("cut-inside-length3", "truncation", smFile([...sm.slice(0, 3), sm[3].subarray(0, 2)]), { code: "ERR_TRUNCATED", exit: 3, output: "partial", blocks: 3, packets: 3, base: "small-pty", note: "the file ends inside block 3's length prefix" });

  // Forged plaintext (sealed correctly for the key, so only the packet parser can object).
  const forged = async (name, blocks, expect, note) => {
    const c = await sealedCapture(name, blocks);
    add(name, "packets", c.file, { ...expect, note });
  };
  const P = SMALL_PACKETS;
  await forged("packet-total-12", [P[0], P[1], packet(1, 1_300_000, "", { total: 12 })], { code: "ERR_BAD_PACKET", exit: 3, output: "partial", blocks: 3, packets: 2, base: "small-pty" }, "a packet claiming 12 bytes, fewer than its own header");
  await forged("packet-source-2", [P[0], P[1], packet(2, 1_300_000, "x")], { code: "ERR_BAD_PACKET", exit: 3, output: "partial", blocks: 3, packets: 2, base: "small-pty" }, "a packet from source 2");
  await forged("packet-length-4gib", [P[0], P[1], packet(1, 1_300_000, "x", { total: 0xffffffff })], { code: "ERR_LIMIT", exit: 3, output: "partial", blocks: 3, packets: 2, base: "small-pty" }, "a packet claiming 4 GiB - 1: refused before any allocation");
  await forged("packet-elapsed-2-64", [P[0], P[1], Buffer.concat([packet(1, 0, "x").subarray(0, 9), Buffer.alloc(8, 0xff), Buffer.from("x")])], { code: "ERR_BAD_PACKET", exit: 3, output: "partial", blocks: 3, packets: 2, base: "small-pty" }, "a packet time of 2^64 - 1 microseconds");
  await forged("packet-cut-at-end", [P[0], P[1], packet(1, 1_300_000, "hello").subarray(0, 10)], { code: "ERR_TRUNCATED", exit: 3, output: "partial", blocks: 3, packets: 2, base: "small-pty" }, "the last block ends inside a packet");

  // Keys.
  const skText = readFileSync(join(SESSIONS, "sshkey"), "latin1");
  const pubText = readFileSync(join(SESSIONS, "sshkey.pub"), "latin1");
  const sk = Buffer.from(skText.trim(), "base64");
  const keyCase = (name, keyFile, bytes, expect) => {
    files.set(keyFile, bytes);
    cases.push({ name, class: "keys", log: "../sessions/pty-exit0.log", key: keyFile, base: "pty-exit0", ...expect });
  };
  keyCase("key-is-public", "key-public.pub", Buffer.from(pubText), { code: "ERR_BAD_KEY", exit: 5, output: "none", note: "the .pub file given as the private key" });
  keyCase("key-is-public-renamed", "key-public-renamed", Buffer.from(pubText), { code: "ERR_WRONG_KEY", exit: 4, output: "none", note: "the public key under a private key's name: 32 bytes like any key, so only block 0 tells" });
  keyCase("key-31-bytes", "key-31-bytes", Buffer.from(sk.subarray(0, 31).toString("base64")), { code: "ERR_BAD_KEY", exit: 5, output: "none", note: "a key of 31 bytes" });
  keyCase("key-33-bytes", "key-33-bytes", Buffer.from(Buffer.concat([sk, Buffer.from([0])]).toString("base64")), { code: "ERR_BAD_KEY", exit: 5, output: "none", note: "a key of 33 bytes" });
  keyCase("key-not-base64", "key-not-base64", Buffer.from(`${skText.trim().slice(0, 40)}!!!=`), { code: "ERR_BAD_KEY", exit: 5, output: "none", note: "44 characters, not base64" });
  keyCase("key-empty", "key-empty", Buffer.alloc(0), { code: "ERR_BAD_KEY", exit: 5, output: "none", note: "an empty key file" });
  keyCase("key-openssh-format", "key-openssh", Buffer.from("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n"), { code: "ERR_BAD_KEY", exit: 5, output: "none", note: "an OpenSSH key, not an X25519 capture key" });
  keyCase("key-is-capture", "key-is-capture", good("exec-empty-server"), { code: "ERR_SWAPPED_ARGUMENTS", exit: 2, output: "none", note: "a capture given as the key: the arguments were swapped" });
  keyCase("key-with-newlines", "key-with-newlines", Buffer.from(`\n  ${skText.trim()}\r\n\n`), { code: null, exit: 0, output: "complete", blocks: 442, packets: 442, note: "whitespace around the key is accepted" });
  keyCase("key-other", "key-other", Buffer.from(createHash("sha256").update("another key").digest().toString("base64")), { code: "ERR_WRONG_KEY", exit: 4, output: "none", note: "a valid key that is not this capture's" });

  const manifest = {
    description: "Hostile inputs for ssh-log decrypt, made by scripts/make-bad-fixtures.js from fixtures/sessions. Paths are relative to this folder; code null means accepted. output: none (no zip), partial or complete (a zip holding exactly `blocks` blocks and `packets` packets that authenticated). base: the good capture whose packets the output must be a prefix of.",
    cases,
  };
  files.set("manifest.json", Buffer.from(`${JSON.stringify(manifest, null, 1)}\n`));
  return files;
}

/** Writes the catalogue into `outDir`, replacing what was there. */
export async function writeBadFixtures(outDir) {
  const files = await makeBadFixtures();
  mkdirSync(outDir, { recursive: true });
  for (const f of readdirSync(outDir)) rmSync(join(outDir, f), { recursive: true, force: true });
  for (const [name, bytes] of files) writeFileSync(join(outDir, name), bytes);
  return files.size;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const out = process.argv[2] ?? join(ROOT, "fixtures", "bad");
  const n = await writeBadFixtures(out);
  process.stdout.write(`Wrote ${n} files to ${out}.\n`);
}
