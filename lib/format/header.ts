import { BadHeaderError, ErrorCode } from "../errors.js";

/** A PTY request as recorded: RFC 4254 section 6.2, modes by name. */
export interface Pty {
  term: string | null;
  width: number;
  height: number;
  modes: Array<[string, number]>;
}

/** How the recorded program ended. */
export interface ExitData {
  /** Unix seconds. */
  timestamp: number;
  status: number | null;
  signal: string | null;
  coreDumped: boolean;
  errorMessage: string | null;
}

/** The cleartext metadata at the start of every capture. */
export interface CaptureHeader {
  /** Unix seconds, UTC. */
  startedAt: number;
  /** Declared byte length of the block stream; a hint only (see FORMAT.md). */
  dataSize: number | null;
  /** HPKE `enc`, 32 bytes. */
  encapsulatedKey: Uint8Array;
  pty: Pty | null;
  exit: ExitData | null;
  /** Fields this version does not know, kept as they were (the only place for extensions). */
  extra: Record<string, unknown>;
}

const KNOWN = new Set(["started_at", "data_size", "encapsulated_key", "pty", "exit_data"]);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function bad(file: string, what: string, offset = 4): BadHeaderError {
  return new BadHeaderError(`${file} is not an SSH session capture: ${what}; check that you gave the encrypted .log file.`, { file, offset });
}

function isInt(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v);
}

/**
 * The furthest from 1970 a header's times may be, in seconds (about the year 274000, either way):
 * every later step shows times as dates (the zip's typescript lines, inspect, .cast titles, the
 * audit database), and JavaScript dates end 8.64e12 s from 1970; the margin leaves room for the
 * 285 years of elapsed time a recording can hold. Only a forged header goes past it.
 */
export const MAX_UNIX_SECONDS = 8_600_000_000_000;

/** A whole number of Unix seconds that a date can show (see MAX_UNIX_SECONDS). */
function isTime(v: unknown): v is number {
  return isInt(v) && Math.abs(v) <= MAX_UNIX_SECONDS;
}

/**
 * Decodes the header's bytes (the `n` bytes after the u32 length) into metadata. Throws
 * BadHeaderError naming `file` when the base64, the JSON or a required field is wrong. Whitespace
 * around the base64 and inside the JSON is tolerated.
 *
 * @example parseHeader(bytes, "session.log").startedAt  // 1773274518
 */
export function parseHeader(bytes: Uint8Array, file: string): CaptureHeader {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1").trim();
  if (text.length === 0 || text.length % 4 !== 0 || !BASE64.test(text)) {
    throw bad(file, "its header is not base64");
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(text, "base64").toString("utf8"));
  } catch (cause) {
    throw new BadHeaderError(`${file} is not an SSH session capture: its header is not JSON; check that you gave the encrypted .log file.`, { file, offset: 4, cause });
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) throw bad(file, "its header is not a JSON object");
  const o = json as Record<string, unknown>;

  if (!isInt(o.started_at) || o.started_at < 0) throw bad(file, "its header has no valid started_at");
  if (!isTime(o.started_at)) throw bad(file, `its header's started_at (${o.started_at}) is beyond the dates ssh-log can show (about 274,000 years either side of 1970)`);
  const encHex = o.encapsulated_key;
  if (typeof encHex !== "string" || !/^[0-9a-fA-F]{64}$/.test(encHex)) {
    throw bad(file, "its header's encapsulated_key is not 32 bytes of hex");
  }
  let dataSize: number | null = null;
  if (o.data_size !== undefined && o.data_size !== null) {
    if (!isInt(o.data_size) || o.data_size < 0) throw bad(file, "its header's data_size is not a whole number");
    dataSize = o.data_size;
  }
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (!KNOWN.has(k)) extra[k] = v;

  return {
    startedAt: o.started_at,
    dataSize,
    encapsulatedKey: Uint8Array.from(Buffer.from(encHex, "hex")),
    pty: parsePty(o.pty, file),
    exit: parseExit(o.exit_data, file),
    extra,
  };
}

function parsePty(v: unknown, file: string): Pty | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== "object" || Array.isArray(v)) throw bad(file, "its header's pty is not an object");
  const p = v as Record<string, unknown>;
  if (p.term !== null && p.term !== undefined && typeof p.term !== "string") throw bad(file, "its header's pty.term is not a string");
  if (!isInt(p.width) || !isInt(p.height) || p.width < 0 || p.height < 0) throw bad(file, "its header's pty has no valid width and height");
  const modes: Array<[string, number]> = [];
  if (p.modes !== undefined && p.modes !== null) {
    if (!Array.isArray(p.modes)) throw bad(file, "its header's pty.modes is not a list");
    for (const m of p.modes) {
      if (!Array.isArray(m) || typeof m[0] !== "string" || !isInt(m[1])) throw bad(file, "its header's pty.modes holds an entry that is not [name, value]");
      modes.push([m[0], m[1]]);
    }
  }
  return { term: (p.term as string | null | undefined) ?? null, width: p.width, height: p.height, modes };
}

function parseExit(v: unknown, file: string): ExitData | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== "object" || Array.isArray(v)) throw bad(file, "its header's exit_data is not an object");
  const e = v as Record<string, unknown>;
  if (!isInt(e.timestamp)) throw bad(file, "its header's exit_data has no valid timestamp");
  if (!isTime(e.timestamp)) throw bad(file, `its header's exit_data.timestamp (${e.timestamp}) is beyond the dates ssh-log can show (about 274,000 years either side of 1970)`);
  const optStr = (x: unknown, name: string): string | null => {
    if (x === null || x === undefined) return null;
    if (typeof x !== "string") throw bad(file, `its header's exit_data.${name} is not a string`);
    return x;
  };
  if (e.status !== null && e.status !== undefined && !isInt(e.status)) throw bad(file, "its header's exit_data.status is not a whole number");
  if (e.core_dumped !== undefined && e.core_dumped !== null && typeof e.core_dumped !== "boolean") throw bad(file, "its header's exit_data.core_dumped is not true or false");
  return {
    timestamp: e.timestamp,
    status: (e.status as number | null | undefined) ?? null,
    signal: optStr(e.signal, "signal"),
    coreDumped: e.core_dumped === true,
    errorMessage: optStr(e.error_msg, "error_msg"),
  };
}

/** The JSON object for a header, with the field names and order of FORMAT.md. */
export function headerToJson(h: Omit<CaptureHeader, "extra"> & { extra?: Record<string, unknown> }): Record<string, unknown> {
  return {
    started_at: h.startedAt,
    data_size: h.dataSize ?? 0,
    encapsulated_key: Buffer.from(h.encapsulatedKey).toString("hex"),
    pty: h.pty && { term: h.pty.term, width: h.pty.width, height: h.pty.height, modes: h.pty.modes },
    exit_data: h.exit && {
      timestamp: h.exit.timestamp,
      status: h.exit.status,
      signal: h.exit.signal,
      core_dumped: h.exit.coreDumped,
      error_msg: h.exit.errorMessage,
    },
    ...(h.extra ?? {}),
  };
}

/**
 * Encodes a header as written to disk: u32 length, then base64 of the JSON. With `reserve` (a
 * multiple of 4), the JSON is padded with trailing spaces so that its base64 is exactly `reserve`
 * bytes: any JSON parser ignores the spaces, so a later, longer header (with exit_data and
 * data_size) can be rewritten in place, and every reader, ssh-log-cli's too, still decodes it.
 *
 * @example encodeHeader(h, 1024).length === 1028
 */
export function encodeHeader(h: Parameters<typeof headerToJson>[0], reserve = 0): Buffer {
  let json = Buffer.from(JSON.stringify(headerToJson(h)), "utf8");
  if (reserve > 0) {
    if (reserve % 4 !== 0) throw new RangeError("reserve must be a multiple of 4");
    const room = (reserve / 4) * 3;
    if (json.length > room) {
      throw new BadHeaderError(`The capture header needs ${Math.ceil(json.length / 3) * 4} bytes but only ${reserve} were reserved; reserve more.`, {}, ErrorCode.BadHeader);
    }
    json = Buffer.concat([json, Buffer.alloc(room - json.length, 0x20)]);
  }
  const b64 = json.toString("base64");
  const out = Buffer.allocUnsafe(4 + b64.length);
  out.writeUInt32BE(b64.length, 0);
  out.write(b64, 4, "latin1");
  return out;
}
