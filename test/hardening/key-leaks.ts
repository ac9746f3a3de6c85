/** The forms a key's bytes could take in output: its base64 text, hex, base64url, and long pieces of them. */
export function keyForms(text: string): { whole: string[]; pieces: string[] } {
  const t = text.trim();
  const raw = Buffer.from(t, "base64");
  const whole = [t, raw.toString("hex"), raw.toString("base64url")].filter((s) => s.length >= 16);
  // Any 16-character window of the base64 or hex: a truncated or wrapped echo still counts.
  const pieces: string[] = [];
  for (const s of [t, raw.toString("hex")]) for (let i = 0; i + 16 <= s.length; i += 4) pieces.push(s.slice(i, i + 16));
  return { whole, pieces };
}

/** Which forms of a key occur in `output` (empty: none). */
export function leaks(output: string, forms: { whole: string[]; pieces: string[] }): string[] {
  return [...forms.whole, ...forms.pieces].filter((s) => output.includes(s));
}

/** Malformed private key files made from a real key's text: each must be refused without being echoed. */
export function BAD_KEYS(keyText: string): Array<[string, string]> {
  const t = keyText.trim();
  const raw = Buffer.from(t, "base64");
  return [
    ["short", raw.subarray(0, 31).toString("base64")],
    ["long", Buffer.concat([raw, Buffer.from([1])]).toString("base64")],
    ["hex", raw.toString("hex")],
    ["bang", `${t.slice(0, 40)}!!!=`],
    ["twice", `${t}\n${t}\n`],
    ["pem", `-----BEGIN PRIVATE KEY-----\n${Buffer.concat([Buffer.from("302e020100300506032b656e04220420", "hex"), raw]).toString("base64")}\n-----END PRIVATE KEY-----\n`],
  ];
}
