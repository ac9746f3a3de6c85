import { createRequire } from "node:module";

/**
 * Terminal mode opcodes (RFC 4254 section 8, IUTF8 from RFC 8160), by value. The proxy records
 * modes by these names and forwards the client's encoded modes upstream byte for byte.
 */
export const TERMINAL_MODES: Readonly<Record<number, string>> = {
  1: "VINTR", 2: "VQUIT", 3: "VERASE", 4: "VKILL", 5: "VEOF", 6: "VEOL", 7: "VEOL2", 8: "VSTART",
  9: "VSTOP", 10: "VSUSP", 11: "VDSUSP", 12: "VREPRINT", 13: "VWERASE", 14: "VLNEXT", 15: "VFLUSH",
  16: "VSWTCH", 17: "VSTATUS", 18: "VDISCARD", 30: "IGNPAR", 31: "PARMRK", 32: "INPCK", 33: "ISTRIP",
  34: "INLCR", 35: "IGNCR", 36: "ICRNL", 37: "IUCLC", 38: "IXON", 39: "IXANY", 40: "IXOFF",
  41: "IMAXBEL", 42: "IUTF8", 50: "ISIG", 51: "ICANON", 52: "XCASE", 53: "ECHO", 54: "ECHOE",
  55: "ECHOK", 56: "ECHONL", 57: "NOFLSH", 58: "TOSTOP", 59: "IEXTEN", 60: "ECHOCTL", 61: "ECHOKE",
  62: "PENDIN", 70: "OPOST", 71: "OLCUC", 72: "ONLCR", 73: "OCRNL", 74: "ONOCR", 75: "ONLRET",
  90: "CS7", 91: "CS8", 92: "PARENB", 93: "PARODD", 128: "TTY_OP_ISPEED", 129: "TTY_OP_OSPEED",
};

/**
 * Decodes a pty-req's encoded terminal modes into [name, value] pairs. Opcode 0 ends the list;
 * 160 and above are undefined and stop parsing (RFC 4254 section 8); unknown ones below 160 are
 * kept as "OPCODE_<n>".
 *
 * @example decodeTerminalModes(Buffer.from([53, 0, 0, 0, 1, 0]))  // [["ECHO", 1]]
 */
export function decodeTerminalModes(raw: Uint8Array): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  const b = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  for (let i = 0; i < b.length;) {
    const op = b[i]!;
    if (op === 0 || op >= 160 || i + 5 > b.length) break;
    out.push([TERMINAL_MODES[op] ?? `OPCODE_${op}`, b.readUInt32BE(i + 1)]);
    i += 5;
  }
  return out;
}

let lastRawModes: Buffer | null = null;
let installed: boolean | null = null;

/**
 * ssh2 1.17's server drops every terminal mode of a pty-req (its parser starts one byte late and
 * looks opcodes up in a table keyed by name), so a proxy would give users default termios. This
 * wraps ssh2's CHANNEL_REQUEST handler to keep the raw modes of the pty-req being handled; the
 * Session's 'pty' event, emitted synchronously inside that handler, reads them with
 * takeRawPtyModes(). Returns false if ssh2's internals have moved (modes are then not forwarded).
 *
 * @example installPtyModesCapture(); session.on("pty", (a, r, info) => { const raw = takeRawPtyModes(); });
 */
export function installPtyModesCapture(): boolean {
  if (installed !== null) return installed;
  try {
    const require = createRequire(import.meta.url);
    const handlers = require("ssh2/lib/protocol/handlers.js") as Array<((self: unknown, payload: Buffer) => unknown) | undefined>;
    const { MESSAGE } = require("ssh2/lib/protocol/constants.js") as { MESSAGE: { CHANNEL_REQUEST: number } };
    const original = handlers[MESSAGE.CHANNEL_REQUEST];
    if (typeof original !== "function") return (installed = false);
    handlers[MESSAGE.CHANNEL_REQUEST] = (self, payload) => {
      lastRawModes = rawModesOf(payload);
      try {
        return original(self, payload);
      } finally {
        lastRawModes = null;
      }
    };
    return (installed = true);
  } catch {
    return (installed = false);
  }
}

/**
 * The encoded modes of the pty-req being handled right now, or null (see installPtyModesCapture).
 *
 * @example session.on("pty", (accept) => { const raw = takeRawPtyModes(); accept?.(); });
 */
export function takeRawPtyModes(): Buffer | null {
  const m = lastRawModes;
  lastRawModes = null;
  return m;
}

/** The modes string of a CHANNEL_REQUEST payload when it is a pty-req; null otherwise or when malformed. */
function rawModesOf(p: Buffer): Buffer | null {
  // byte msg, uint32 recipient, string type, bool want_reply, string term, 4 x uint32, string modes
  if (p.length < 9) return null;
  const typeLen = p.readUInt32BE(5);
  if (typeLen !== 7 || p.length < 9 + 7 || p.toString("latin1", 9, 16) !== "pty-req") return null;
  let at = 16 + 1;
  if (at + 4 > p.length) return null;
  const termLen = p.readUInt32BE(at);
  at += 4 + termLen + 16;
  if (at + 4 > p.length) return null;
  const modesLen = p.readUInt32BE(at);
  at += 4;
  if (at + modesLen > p.length) return null;
  return Buffer.from(p.subarray(at, at + modesLen));
}
