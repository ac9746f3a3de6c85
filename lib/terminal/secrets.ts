/**
 * What counts as a secret being typed, and how it is hidden: the rules `export` and the command
 * list share, in one place so the README can state them exactly.
 */

/** A prompt that asks for a secret: sudo's "[sudo] password for ops: ", ssh's passphrase, PINs, one-time codes. */
export const SECRET_PROMPT = /(?:pass(?:word|phrase|code)|\bpin\b|one-time|verification code|\botp\b|\btoken\b)[^\n]*[:：]\s*$/i;

/** A shell prompt: ends in $, #, %, >, or the arrows and lambdas of themed prompts. */
export const SHELL_PROMPT = /[$#%>❯➜»λ]\s*$/u;

/**
 * True when `prompt` (the text left of the cursor where typing began) asks for a secret.
 *
 * @example isSecretPrompt("[sudo] password for ops: ") === true
 */
export function isSecretPrompt(prompt: string): boolean {
  return SECRET_PROMPT.test(prompt);
}

/**
 * True when `prompt` looks like a shell's (or a REPL's) prompt, so what is typed after it is a command.
 *
 * @example isShellPrompt("ops@web-01:~$ ") === true; isShellPrompt("Continue? [y/N] ") === false
 */
export function isShellPrompt(prompt: string): boolean {
  return SHELL_PROMPT.test(prompt) && !isSecretPrompt(prompt);
}

/**
 * Replaces every character of `bytes` (UTF-8) with one "*".
 *
 * @example maskBytes(Buffer.from("hunter2")).toString() === "*******"
 */
export function maskBytes(bytes: Uint8Array): Uint8Array {
  let n = 0;
  for (const b of bytes) if ((b & 0xc0) !== 0x80) n++; // count characters, not bytes
  return Buffer.alloc(n, 0x2a);
}

/**
 * Masks a string the same way.
 *
 * @example maskText("pässwörd") === "********"
 */
export function maskText(text: string): string {
  return "*".repeat([...text].length);
}
