import { stat } from "node:fs/promises";
import type { Readable } from "node:stream";
import yauzl from "yauzl";
import { BadInputError, SshLogError, TruncatedError, fsError } from "../errors.js";
import type { ExitData, Pty } from "../format/header.js";
import { Source } from "../format/packets.js";
import { formatDelay } from "../outputs/script-format.js";
import { newOutcome, sessionOf, type Session, type SessionEvent, type SessionInfo } from "./model.js";

const MAX_ENTRIES = 64;
const EVENT_BYTES = 64 * 1024;
const BATCH = 512;
const MAX_EVENT_BYTES = 64 << 20;

/**
 * The gap in microseconds behind a term_times.txt delay. Delays are printed from binary32, so
 * gaps above about 16.7 s lost their last digits; of the gaps that print as `text`, this picks the
 * nearest, so that writing the timing again gives the same text.
 *
 * @example gapFromDelay("90.549812") === 90549812
 */
export function gapFromDelay(text: string): number {
  const guess = Math.round(Number(text) * 1e6);
  if (!/^\d+\.\d{6}$/.test(text) || formatDelay(guess) === text) return guess;
  for (let k = 1; k <= 1024; k++) {
    if (formatDelay(guess - k) === text) return guess - k;
    if (formatDelay(guess + k) === text) return guess + k;
  }
  return guess;
}

function notOurs(path: string, what: string): BadInputError {
  return new BadInputError(`${path} is not a zip written by ssh-log or ssh-log-cli decrypt: ${what}; give the -decrypted.zip file, or the encrypted capture with -i KEY.`, { file: path });
}

/** yauzl's refusal of an entry name that escapes the zip's folder, as one of our sentences. */
function zipError(err: unknown, path: string): SshLogError {
  if (err instanceof SshLogError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  const escape = /^(invalid relative path|absolute path|invalid characters in fileName): (.*)$/.exec(msg);
  if (escape) {
    return new BadInputError(`${path} holds an entry named "${escape[2]}" that points outside the zip's folder; ssh-log refuses such zips, so check where this file came from.`, { file: path, cause: err });
  }
  if ((err as NodeJS.ErrnoException).code) return fsError(err, path, "zip");
  return new BadInputError(`${path} is not a readable zip (${zipProblem(msg)}); give the -decrypted.zip file written by decrypt.`, { file: path, cause: err });
}

/** yauzl's known complaints (some of them several sentences) as short phrases, so ours stays one sentence. */
const ZIP_PROBLEMS: Array<[RegExp, string]> = [
  [/^End of central directory record signature not found/, "it ends before its central directory: the file is cut short"],
  [/^Invalid comment length/, "bytes follow its end record: something was appended to the file"],
  [/^invalid zip64 end of central directory/, "its zip64 end record is damaged"],
  [/^invalid central directory file header signature/, "its central directory is damaged"],
  [/^invalid local file header signature/, "an entry's header is damaged"],
  [/^(file data overflows file bounds|unexpected EOF)/, "an entry runs past the end of the file: the file is cut short"],
  [/^multi-disk zip files are not supported/, "it is one part of a multi-disk zip, which ssh-log does not read"],
  [/^(strong encryption is not supported|entry is encrypted)/, "its entries are encrypted, which ssh-log does not read"],
  [/^unsupported compression method: (\d+)/, "an entry uses compression method $1, which ssh-log does not read"],
];

/** A phrase for yauzl's message: a known one mapped, any other cut to its first sentence. */
function zipProblem(msg: string): string {
  for (const [re, phrase] of ZIP_PROBLEMS) {
    const m = re.exec(msg);
    if (m) return m[0].replace(re, phrase);
  }
  return msg.split(/\.(\s|$)/, 1)[0]!;
}

/** Reads chunks from a stream, handing out exact byte counts and lines. */
class ByteReader {
  private buf: Buffer = Buffer.alloc(0);
  private done = false;
  private readonly it: AsyncIterator<Buffer>;
  constructor(private readonly stream: Readable) { this.it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>; }

  private async fill(): Promise<boolean> {
    if (this.done) return false;
    const r = await this.it.next();
    if (r.done) { this.done = true; return false; }
    this.buf = this.buf.length === 0 ? r.value : Buffer.concat([this.buf, r.value]);
    return true;
  }

  /** Up to `n` bytes (fewer only at the end). */
  async read(n: number): Promise<Buffer> {
    while (this.buf.length < n && (await this.fill()));
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(out.length);
    return out;
  }

  /** The next line without its "\n", or null at the end; lines longer than `max` are refused. */
  async line(max: number): Promise<string | null> {
    for (;;) {
      const nl = this.buf.indexOf(0x0a);
      if (nl >= 0) {
        const out = this.buf.subarray(0, nl).toString("utf8");
        this.buf = this.buf.subarray(nl + 1);
        return out;
      }
      if (this.buf.length > max) return null;
      if (!(await this.fill())) {
        if (this.buf.length === 0) return null;
        const out = this.buf.toString("utf8");
        this.buf = Buffer.alloc(0);
        return out;
      }
    }
  }

  /** Everything left. */
  async rest(max: number): Promise<Buffer> {
    while (this.buf.length <= max && (await this.fill()));
    return this.buf;
  }

  /**
   * Ends the stream, read or not (an iterator never started would not destroy it on return(), and
   * yauzl keeps the zip open until every entry stream is destroyed or read to its end).
   */
  async close(): Promise<void> {
    this.stream.destroy();
    await this.it.return?.();
  }
}

const START = /^(?:Session|Script) started on (\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\+00(?::00)?)?\s*\[(.*)\]\s*$/;
const END = /^(?:Script done on (\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\+00(?::00)?)?\s*\[(.*)\]|Session has no termination data)\s*$/;

function utc(m: RegExpExecArray): number {
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) / 1000;
}

function attr(attrs: string, name: string): string | null {
  const m = new RegExp(`${name}="([^"]*)"`).exec(attrs);
  return m ? m[1]! : null;
}

/**
 * Parses term_data.txt's first line: `Session started on 2026-03-12 00:05:18+00 [TERM="xterm"
 * COLUMNS="80" LINES="24"]` (util-linux `script`'s "Script started on ..." is read too).
 *
 * @example parseStartLine('Session started on 2026-03-12 00:05:18+00 [TERM="xterm" COLUMNS="80" LINES="24"]')!.pty.width === 80
 */
export function parseStartLine(line: string): { startedAt: number; pty: Pty } | null {
  const m = START.exec(line);
  if (!m) return null;
  const term = attr(m[7]!, "TERM");
  const width = Number(attr(m[7]!, "COLUMNS") ?? 80);
  const height = Number(attr(m[7]!, "LINES") ?? 24);
  return {
    startedAt: utc(m),
    pty: { term: term === null || term === "unknown" ? null : term, width: Number.isSafeInteger(width) && width > 0 ? width : 80, height: Number.isSafeInteger(height) && height > 0 ? height : 24, modes: [] },
  };
}

/**
 * Parses the last line of term_data.txt back into an exit record (null for "no termination data").
 *
 * @example parseEndLine('Script done on 2026-03-12 00:20:18+00 [COMMAND_EXIT_CODE="0"]')!.status === 0
 */
export function parseEndLine(line: string): ExitData | null | undefined {
  const m = END.exec(line);
  if (!m) return undefined;
  if (m[1] === undefined) return null;
  const attrs = m[7]!;
  const code = attr(attrs, "COMMAND_EXIT_CODE");
  return {
    timestamp: utc(m),
    status: code !== null && /^-?\d+$/.test(code) ? Number(code) : null,
    signal: null,
    coreDumped: /CORE DUMPED/.test(attrs),
    errorMessage: attr(attrs, "ERROR"),
  };
}

/**
 * Opens a zip written by `ssh-log decrypt` or ssh-log-cli as a Session. A PTY zip
 * (term_data.txt + term_times.txt) gives back the output with its timing, start time, terminal and
 * exit; an exec zip (data_from_client.txt + data_from_server.txt) gives both streams, timed at the
 * start (the zip keeps no timing for them). Entries whose names escape the zip's folder
 * (`../`, absolute paths) are refused. The zip's entries stream: memory does not grow with it.
 *
 * @example const s = await openZip("session.log-decrypted.zip");
 */
export async function openZip(path: string): Promise<Session> {
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
  } catch (err) {
    throw fsError(err, path, "zip");
  }
  let zip: yauzl.ZipFile;
  try {
    zip = await new Promise<yauzl.ZipFile>((res, rej) => yauzl.open(path, { lazyEntries: true, autoClose: false }, (e, z) => (e ? rej(e) : res(z!))));
  } catch (err) {
    throw zipError(err, path);
  }
  const entries = new Map<string, yauzl.Entry>();
  try {
    await new Promise<void>((resolve, reject) => {
      let n = 0;
      zip.on("entry", (entry: yauzl.Entry) => {
        if (++n > MAX_ENTRIES) { reject(notOurs(path, `it holds more than ${MAX_ENTRIES} entries`)); return; }
        if (!entry.fileName.endsWith("/")) {
          const base = entry.fileName.slice(entry.fileName.lastIndexOf("/") + 1);
          if (!entries.has(base)) entries.set(base, entry);
        }
        zip.readEntry();
      });
      zip.on("end", () => resolve());
      zip.on("error", reject);
      zip.readEntry();
    });
  } catch (err) {
    zip.close();
    throw zipError(err, path);
  }
  // Resolves once the file is really closed: yauzl closes it after the last entry stream ends.
  let closing: Promise<void> | null = null;
  const closeZip = (): Promise<void> => (closing ??= new Promise<void>((resolve) => {
    zip.once("close", () => resolve());
    zip.close();
  }));
  const open = async (entry: yauzl.Entry): Promise<Readable> => {
    try {
      return await new Promise<Readable>((res, rej) => zip.openReadStream(entry, (e, s) => (e ? rej(e) : res(s!))));
    } catch (err) {
      throw zipError(err, path);
    }
  };
  const data = entries.get("term_data.txt");
  const times = entries.get("term_times.txt");
  const client = entries.get("data_from_client.txt");
  const server = entries.get("data_from_server.txt");
  const outcome = newOutcome();

  if (data && times) {
    // release closes the readers opened so far and the zip: when the session is closed, and
    // when anything fails while opening them.
    let dataReader: ByteReader | undefined;
    let timesReader: ByteReader | undefined;
    const release = async (): Promise<void> => {
      await dataReader?.close();
      await timesReader?.close();
      await closeZip();
    };
    let start: NonNullable<ReturnType<typeof parseStartLine>>;
    try {
      dataReader = new ByteReader(await open(data));
      const first = await dataReader.line(4096);
      const parsed = first === null ? null : parseStartLine(first);
      if (parsed === null) throw notOurs(path, "its term_data.txt does not begin with a \"Session started on\" line");
      start = parsed;
      timesReader = new ByteReader(await open(times));
    } catch (err) {
      await release();
      throw zipError(err, path);
    }
    const info: SessionInfo = { kind: "zip", path, startedAt: start.startedAt, pty: start.pty, exit: null, command: null, extra: {} };
    // An expression, not a declaration: it keeps the readers' narrowing to "opened" from here.
    const read = async function* (): AsyncGenerator<SessionEvent[], void, undefined> {
      let batch: SessionEvent[] = [];
      let micros = 0;
      let lineNo = 0;
      try {
        for (;;) {
          const line = await timesReader.line(256);
          if (line === null) break;
          lineNo++;
          if (line.trim() === "") continue;
          const m = /^\s*(\d+(?:\.\d+)?)\s+(\d+)\s*$/.exec(line);
          if (!m) {
            outcome.error = new BadInputError(`${path}: line ${lineNo} of term_times.txt is not "<delay> <bytes>"; the output before it was kept.`, { file: path, offset: lineNo });
            break;
          }
          micros += gapFromDelay(m[1]!);
          const want = Number(m[2]);
          if (want > MAX_EVENT_BYTES) {
            outcome.error = new BadInputError(`${path}: line ${lineNo} of term_times.txt claims ${want} bytes in one write, more than ${MAX_EVENT_BYTES}; the output before it was kept.`, { file: path, offset: lineNo });
            break;
          }
          const bytes = await dataReader.read(want);
          if (bytes.length > 0) batch.push({ source: Source.Server, code: 0, elapsedMicros: micros, data: Uint8Array.from(bytes) });
          if (bytes.length < want) {
            outcome.error = new TruncatedError(`${path}: term_data.txt ends ${want - bytes.length} bytes before term_times.txt says it should; the output before was kept.`, { file: path, missingBytes: want - bytes.length });
            break;
          }
          if (batch.length >= BATCH) { outcome.events += batch.length; yield batch; batch = []; }
        }
        if (batch.length > 0) { outcome.events += batch.length; yield batch; batch = []; }
        if (outcome.error === null) {
          const tail = (await dataReader.rest(4096)).toString("utf8");
          const exit = parseEndLine(tail.replace(/^\n/, "").trimEnd());
          if (exit !== undefined) info.exit = exit;
          else outcome.warnings.push(new BadInputError(`${path}: term_data.txt has ${tail.length} bytes after the last timed output that are not a "Script done" line; they were left out.`, { file: path }));
          outcome.complete = true;
        }
      } catch (err) {
        throw zipError(err, path);
      } finally {
        await release();
      }
    };
    return sessionOf({ info, outcome, read, release });
  }

  if (client && server) {
    const date = server.getLastModDate();
    const startedAt = Number.isFinite(date.getTime()) ? Math.floor(date.getTime() / 1000) : 0;
    const info: SessionInfo = { kind: "zip", path, startedAt, pty: null, exit: null, command: null, extra: { startedAtSource: "zip entry time" } };
    async function* read(): AsyncGenerator<SessionEvent[], void, undefined> {
      try {
        for (const [entry, source] of [[client!, Source.Client], [server!, Source.Server]] as const) {
          const reader = new ByteReader(await open(entry));
          try {
            for (;;) {
              const chunk = await reader.read(EVENT_BYTES);
              if (chunk.length === 0) break;
              outcome.events++;
              yield [{ source, code: 0, elapsedMicros: 0, data: Uint8Array.from(chunk) }];
            }
          } finally {
            await reader.close();
          }
        }
        outcome.complete = true;
      } catch (err) {
        throw zipError(err, path);
      } finally {
        await closeZip();
      }
    }
    return sessionOf({ info, outcome, read, release: closeZip });
  }
  zip.close();
  throw notOurs(path, `it holds ${[...entries.keys()].slice(0, 5).join(", ") || "no files"} instead of term_data.txt and term_times.txt (or data_from_client.txt and data_from_server.txt)`);
}
