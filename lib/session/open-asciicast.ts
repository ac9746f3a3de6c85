import { BadInputError, ErrorCode, LimitError, SshLogError } from "../errors.js";
import { MAX_UNIX_SECONDS } from "../format/header.js";
import { MAX_TERMINAL_SIZE } from "../format/limits.js";
import { Source } from "../format/packets.js";
import { plural } from "../text.js";
import { newOutcome, sessionOf, type Session, type SessionEvent, type SessionInfo } from "./model.js";
import { readChunks } from "./read-chunks.js";

export interface OpenAsciicastOptions {
  /** "lenient" (default): a bad event line ends reading there, in `outcome.error`; "strict": throws. */
  mode?: "lenient" | "strict";
  /** Bytes to read instead of the file (Logpush payloads, tests); `path` still names it. */
  source?: AsyncIterable<Uint8Array>;
  /** The Session's kind and metadata to lay over what the header says (Logpush knows more). */
  kind?: SessionInfo["kind"];
  info?: Partial<Omit<SessionInfo, "kind" | "path">>;
  /** Longest line accepted (default 64 MiB). */
  maxLineBytes?: number;
}

/** The header of an asciicast v2 (or v3) recording, as ssh-log reads it. */
export interface AsciicastHeader {
  version: 2 | 3;
  width: number;
  height: number;
  timestamp: number | null;
  command: string | null;
  title: string | null;
  env: Record<string, string>;
  /** Fields this reader does not use, kept as found. */
  extra: Record<string, unknown>;
}

const BATCH = 512;

/** Splits chunks into lines (without "\n"), refusing a line longer than `max`. */
async function* lines(chunks: AsyncIterable<Uint8Array>, path: string, max: number): AsyncIterable<string> {
  let partial: Buffer[] = [];
  let partialBytes = 0;
  for await (const chunk of chunks) {
    let at = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, at);
      if (nl < 0) break;
      const piece = chunk.subarray(at, nl);
      const line = partialBytes > 0 ? Buffer.concat([...partial, piece]) : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
      partial = [];
      partialBytes = 0;
      yield line.toString("utf8");
      at = nl + 1;
    }
    if (at < chunk.length) {
      partialBytes += chunk.length - at;
      if (partialBytes > max) throw new LimitError(`${path} has a line longer than ${max} bytes, more than any asciicast event; check that it is an asciicast file.`, { file: path });
      partial.push(Buffer.from(chunk.subarray(at)));
    }
  }
  if (partialBytes > 0) yield Buffer.concat(partial).toString("utf8");
}

function notCast(path: string, what: string): BadInputError {
  return new BadInputError(`${path} is not an asciicast v2 recording: ${what}; give a .cast file written by asciinema or ssh-log export.`, { file: path });
}

/**
 * Parses an asciicast header line (v2, or v3's `term` form).
 *
 * @example parseAsciicastHeader('{"version": 2, "width": 80, "height": 24}', "a.cast").width === 80
 */
export function parseAsciicastHeader(line: string, path: string): AsciicastHeader {
  let h: unknown;
  try { h = JSON.parse(line); } catch { throw notCast(path, "its first line is not JSON"); }
  if (h === null || typeof h !== "object" || Array.isArray(h)) throw notCast(path, "its first line is not a JSON object");
  const o = h as Record<string, unknown>;
  if (o.version === 1 || (o.stdout !== undefined && o.version === undefined)) throw notCast(path, "it is asciicast v1 (one JSON document); convert it with asciinema first");
  if (o.version !== 2 && o.version !== 3) throw notCast(path, `its header has version ${JSON.stringify(o.version)}, not 2`);
  const term = (o.version === 3 && o.term && typeof o.term === "object" ? o.term : {}) as Record<string, unknown>;
  const width = o.version === 3 ? term.cols : o.width;
  const height = o.version === 3 ? term.rows : o.height;
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || (width as number) < 1 || (height as number) < 1 || (width as number) > MAX_TERMINAL_SIZE || (height as number) > MAX_TERMINAL_SIZE) {
    throw notCast(path, "its header has no valid width and height");
  }
  const env: Record<string, string> = {};
  if (o.env && typeof o.env === "object") for (const [k, v] of Object.entries(o.env)) if (typeof v === "string") env[k] = v;
  if (o.version === 3 && typeof term.type === "string" && env.TERM === undefined) env.TERM = term.type;
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (!["version", "width", "height", "term", "timestamp", "command", "title", "env"].includes(k)) extra[k] = v;
  return {
    version: o.version,
    width: width as number,
    height: height as number,
    // A time no date can show (see MAX_UNIX_SECONDS) is ignored like one that is not a number.
    timestamp: typeof o.timestamp === "number" && Math.abs(o.timestamp) <= MAX_UNIX_SECONDS ? o.timestamp : null,
    command: typeof o.command === "string" ? o.command : null,
    title: typeof o.title === "string" ? o.title : null,
    env,
    extra,
  };
}

/**
 * Opens an asciicast v2 file (v3 is read too) as a Session: "o" events become server output, "i"
 * events client input; markers are skipped (ssh-log makes its own from the commands) and resize
 * events are skipped with a warning (the model has one terminal size). The header is read now;
 * the events stream as the caller iterates.
 *
 * @example
 *   const s = await openAsciicast("demo.cast");
 *   for await (const ev of s.events()) if (ev.source === 1) process.stdout.write(ev.data);
 */
export async function openAsciicast(path: string, opts: OpenAsciicastOptions = {}): Promise<Session> {
  const strict = opts.mode === "strict";
  const it = lines(opts.source ?? readChunks(path, "asciicast file"), path, opts.maxLineBytes ?? 64 << 20)[Symbol.asyncIterator]();
  let first: IteratorResult<string>;
  try {
    do { first = await it.next(); } while (!first.done && first.value.trim() === "");
  } catch (err) {
    await it.return?.();
    throw err;
  }
  if (first.done) {
    throw new BadInputError(`${path} is empty; give a .cast file written by asciinema or ssh-log export.`, { file: path });
  }
  let header: AsciicastHeader;
  try {
    header = parseAsciicastHeader(first.value.trim(), path);
  } catch (err) {
    await it.return?.();
    throw err;
  }
  const info: SessionInfo = {
    kind: opts.kind ?? "asciicast",
    path,
    startedAt: header.timestamp ?? 0,
    pty: { term: header.env.TERM ?? null, width: header.width, height: header.height, modes: [] },
    exit: null,
    command: header.command,
    extra: { version: header.version, title: header.title, env: header.env, ...header.extra },
    ...opts.info,
  };
  const outcome = newOutcome();

  async function* read(): AsyncGenerator<SessionEvent[], void, undefined> {
    let batch: SessionEvent[] = [];
    let lineNo = 1;
    let last = 0;
    let resizes = 0;
    const fail = (err: SshLogError): void => {
      if (strict) throw err;
      outcome.error = err;
    };
    /** "the 3 events before it were kept", for a line that ends the reading. */
    const kept = (): string => {
      const n = outcome.events + batch.length;
      return `the ${plural(n, "event")} before it ${n === 1 ? "was" : "were"} kept`;
    };
    try {
      for (;;) {
        let r: IteratorResult<string>;
        try {
          r = await it.next();
        } catch (err) {
          if (err instanceof SshLogError) { fail(err); break; }
          throw err;
        }
        if (r.done) { outcome.complete = true; break; }
        lineNo++;
        const text = r.value.trim();
        if (text === "") continue;
        let ev: unknown;
        try { ev = JSON.parse(text); } catch { ev = null; }
        if (!Array.isArray(ev) || ev.length < 3 || typeof ev[0] !== "number" || !Number.isFinite(ev[0]) || typeof ev[1] !== "string" || typeof ev[2] !== "string") {
          fail(new BadInputError(`${path}: line ${lineNo} is not an asciicast event ([time, code, data]); ${kept()}.`, { file: path, offset: lineNo }));
          break;
        }
        // v2 times are since the start, v3 times since the previous event; never let time run back.
        const t = header.version === 3 ? last / 1e6 + Math.max(0, ev[0]) : ev[0];
        const micros = Math.max(last, Math.round(t * 1e6));
        if (!Number.isSafeInteger(micros)) { // 1e308 became Infinity, written back as null
          fail(new BadInputError(`${path}: line ${lineNo} has the time ${ev[0]} s, more than the 285 years a recording can last; ${kept()}.`, { file: path, offset: lineNo }));
          break;
        }
        last = micros;
        const code = ev[1];
        if (code === "o" || code === "i") {
          batch.push({ source: code === "o" ? Source.Server : Source.Client, code: 0, elapsedMicros: micros, data: Buffer.from(ev[2], "utf8") });
          if (batch.length >= BATCH) { outcome.events += batch.length; yield batch; batch = []; }
        } else if (code === "r") {
          resizes++;
        } else if (code === "x" && /^-?\d+$/.test(ev[2])) {
          info.exit = { timestamp: Math.floor(info.startedAt + micros / 1e6), status: Number(ev[2]), signal: null, coreDumped: false, errorMessage: null };
        }
      }
      if (batch.length > 0) { outcome.events += batch.length; yield batch; }
      if (resizes > 0) {
        outcome.warnings.push(new SshLogError(ErrorCode.BadInput, `${path} resizes the terminal ${resizes} time(s); ssh-log keeps the first size (${header.width}x${header.height}), so later screens may wrap differently.`, { file: path }));
      }
    } finally {
      await it.return?.();
    }
  }
  return sessionOf({ info, outcome, read, release: async () => { await it.return?.(); } });
}

/**
 * Opens asciicast text held in memory (a Logpush payload, decoded) as a Session.
 *
 * @example const s = await openAsciicastText(payloadText, "logpush:abc", { kind: "logpush" });
 */
export function openAsciicastText(text: string, path: string, opts: Omit<OpenAsciicastOptions, "source"> = {}): Promise<Session> {
  async function* one(): AsyncIterable<Uint8Array> { yield Buffer.from(text, "utf8"); }
  return openAsciicast(path, { ...opts, source: one() });
}
