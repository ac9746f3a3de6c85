import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { VtScanner } from "../../../lib/terminal/vt-scanner.js";
import { echoedCount, keyRuns, printableOf, typedText } from "../../../lib/terminal/keystrokes.js";
import { isSecretPrompt, isShellPrompt, maskBytes } from "../../../lib/terminal/secrets.js";
import { Emulator } from "../../../lib/terminal/emulator.js";

const scan = (...parts: string[]): VtScanner => {
  const s = new VtScanner(24);
  for (const p of parts) s.push(Buffer.from(p, "latin1"));
  return s;
};

describe("VtScanner", () => {
  it("tells ground from inside a sequence or a character", () => {
    expect(scan("abc").atGround).toBe(true);
    expect(scan("\x1b[01;3").atGround).toBe(false);
    expect(scan("\x1b[01;3", "2m").atGround).toBe(true);
    expect(scan("\x1b]0;title").atGround).toBe(false);
    expect(scan("\x1b]0;title\x07").atGround).toBe(true);
    expect(scan("\x1bP1$r", "\x1b\\").atGround).toBe(true);
    expect(scan("\xc3").atGround).toBe(false);
    expect(scan("\xc3", "\xa9").atGround).toBe(true);
    expect(scan("\xc2\x9b", "1").atGround).toBe(false); // U+009B is CSI to the emulator
    expect(scan("\x1b[1", "\x18").atGround).toBe(true); // CAN aborts
  });

  it("knows when a snapshot can carry the state: default pen, full scroll region, ASCII charsets", () => {
    expect(scan("\x1b[01;32mok").plainState).toBe(false);
    expect(scan("\x1b[01;32mok\x1b[00m").plainState).toBe(true);
    expect(scan("\x1b[38;5;0m").plainState).toBe(false); // colour 0 is not a reset
    expect(scan("\x1b[2;20r").plainState).toBe(false);
    expect(scan("\x1b[2;20r", "\x1b[r").plainState).toBe(true);
    expect(scan("\x1b(0qqq").plainState).toBe(false);
    expect(scan("\x1b(0qqq\x1b(B").plainState).toBe(true);
  });

  it("a marker between a character and REP (CSI b) changes nothing: the repeat still repeats it", async () => {
    for (const parts of [[" ", "\x1b[", "b"], ["x", "\x1b[3b"], ["é", "\x1b[2b"]]) {
      const plain = await Emulator.create({ cols: 20, rows: 5 });
      const marked = await Emulator.create({ cols: 20, rows: 5 });
      for (const p of parts) {
        plain.feed(p);
        marked.feed(p);
        marked.at(() => undefined);
      }
      await plain.settle();
      await marked.settle();
      expect(marked.fingerprint(), JSON.stringify(parts)).toBe(plain.fingerprint());
      plain.dispose();
      marked.dispose();
    }
  });

  it("agrees with the emulator: at every point it calls ground, a marker changes nothing", async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.oneof(fc.constantFrom("\x1b[", "\x1b]0;", "\x07", "\x1b\\", "m", "1;", "é", "\xc3", "a", "\r\n", "\x1bP", "\x18"), fc.string()), { maxLength: 30 }), async (parts) => {
      const plain = await Emulator.create({ cols: 20, rows: 5 });
      const marked = await Emulator.create({ cols: 20, rows: 5 });
      for (const p of parts) {
        const b = Buffer.from(p, "latin1");
        plain.feed(b);
        marked.feed(b);
        marked.at(() => undefined);
      }
      await plain.settle();
      await marked.settle();
      expect(marked.fingerprint()).toBe(plain.fingerprint());
      plain.dispose();
      marked.dispose();
    }), { numRuns: 60 });
  });
});

describe("keystrokes and secrets", () => {
  it("splits escape sequences from typed text and applies editing keys", () => {
    expect([...keyRuns(Buffer.from("ab\x1b[Dc"))].map((r) => r.esc)).toEqual([false, true, false]);
    expect(typedText(Buffer.from("lsx\x7f -la"))).toBe("ls -la");
    expect(typedText(Buffer.from("oops\x15ls"))).toBe("ls");
    expect(printableOf(Buffer.from("a b\x1b[Ac"))).toBe("abc");
    expect(echoedCount("hunter2", "\r\n")).toBe(0);
    expect(echoedCount("cat /etc/hostn", "cat /etc/hostname ")).toBe(14);
  });
  it("recognises secret prompts and shell prompts", () => {
    for (const p of ["[sudo] password for ops: ", "Password: ", "Enter passphrase for key '/root/.ssh/id_ed25519': ", "ops@host's password: ", "Enter PIN for 'token': ", "Verification code: "]) expect(isSecretPrompt(p), p).toBe(true);
    for (const p of ["ops@web-01:~$ ", "$ ", "root@db:/# ", "mysql> ", "% ", "❯ "]) expect(isShellPrompt(p), p).toBe(true);
    for (const p of ["Continue? [y/N] ", "Password: ", ""]) expect(isShellPrompt(p), p).toBe(false);
    expect(Buffer.from(maskBytes(Buffer.from("pässwörd"))).toString()).toBe("********");
  });
});
