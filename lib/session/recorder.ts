import { EventEmitter } from "node:events";
import { open, type FileHandle } from "node:fs/promises";
import { performance } from "node:perf_hooks";
import { parsePublicKey } from "../crypto/keys.js";
import { BlockSealer } from "../crypto/suite.js";
import { ErrorCode, OutputError, SshLogError, UsageError, fsError } from "../errors.js";
import { type CaptureHeader, type ExitData, type Pty, encodeHeader } from "../format/header.js";
import { DEFAULT_LIMITS, TAG_BYTES } from "../format/limits.js";
import { encodePacketInto, packetSize } from "../format/packets.js";

export type { ExitData, Pty } from "../format/header.js";

/** Who sent the bytes: the user's side (keystrokes, stdin) or the server's (output). */
export type RecorderSource = "client" | "server" | 0 | 1;

export interface RecorderOptions {
  /** The recipient's public key: the text of a `.pub` file, or its raw 32 bytes. */
  publicKey: string | Uint8Array;
  /** The capture file to create. It must not exist yet (unless `overwrite`). */
  path: string;
  /** The PTY request, or null for sessions without a terminal (exec, scp). */
  pty: Pty | null;
  /** Session start; elapsed times count from it. Default: now, by `clock`. */
  startedAt?: Date;
  /** The command of an exec session, stored as the header extension field `command`. */
  command?: string | null;
  /** More header extension fields (readers ignore unknown fields). Keep them small: they are cleartext. */
  extra?: Record<string, unknown>;
  /** Milliseconds since the epoch (fractions welcome); injected by tests. Default: a monotonic clock. */
  clock?: () => number;
  /** Seal and write buffered data at least this often. Default 1000. */
  flushIntervalMs?: number;
  /** Plaintext bytes per block at most; a fuller buffer is sealed at once. Default 65536. */
  maxBlockBytes?: number;
  /** `write()` returns false once this many bytes wait to be written. Default 8 blocks (about 512 KiB). */
  highWaterMark?: number;
  /** fsync after every flush, not only at close. Default false. */
  fsync?: boolean;
  /** Window changes kept in the header (PTY sessions); later ones replace the last. Default 64. */
  maxWindowChanges?: number;
  /** Replace an existing file at `path`. Default false. */
  overwrite?: boolean;
}

/** How the recorded program ended, as `close()` takes it. */
export interface RecorderExit {
  status?: number | null;
  signal?: string | null;
  coreDumped?: boolean;
  errorMessage?: string | null;
  /** When it ended. Default: now, by the clock. */
  at?: Date;
}

/** What a closed recording holds. */
export interface RecordingSummary {
  path: string;
  /** Bytes of the whole file. */
  fileBytes: number;
  /** Bytes of the block stream after the header (the header's data_size). */
  dataSize: number;
  blocks: number;
  packets: number;
  exit: ExitData | null;
}

/** The longest flushIntervalMs: Node's timers take at most 2^31-1 ms. */
export const MAX_FLUSH_INTERVAL_MS = 2 ** 31 - 1;

const DEFAULTS = { flushIntervalMs: 1000, maxBlockBytes: 64 * 1024, maxWindowChanges: 64 };
/** A write is split to fill a block only when at least this much room is left in it. */
const MIN_SPLIT_BYTES = 1024;
/** An idle session holds this much buffer, not a whole block: many quiet sessions stay cheap. */
const INITIAL_BUFFER_BYTES = 4096;
/** Error messages longer than this are cut in the header (it is rewritten in reserved space). */
const MAX_ERROR_CHARS = 200;
/** Signal names longer than this are cut in the header (OpenSSH's are a few letters; room is reserved for this many). */
const MAX_SIGNAL_CHARS = 32;
/** Resizes closer together than this replace the previous entry: dragging a window edge sends dozens a second. */
const RESIZE_COALESCE_MICROS = 250_000;
/** A window change as the header stores it: [elapsed_micros, columns, rows]. */
type WindowChange = [number, number, number];

const monotonicClock = (): number => performance.timeOrigin + performance.now();

/**
 * Creates a capture file and returns a Recorder that writes a session into it. The header is
 * written at once, with room reserved so that close() can rewrite it in place with exit_data and
 * data_size; data is sealed into blocks every `flushIntervalMs` or `maxBlockBytes`, so the file on
 * disk is a readable capture at every flush point (a killed process leaves the data up to its last
 * flush, with "no termination data").
 *
 * @example
 *   const rec = await createRecorder({ publicKey: readFileSync("sshkey.pub", "utf8"), path: "s.log", pty: null });
 *   rec.write("server", Buffer.from("hello\n"));
 *   await rec.close({ status: 0 });
 */
export async function createRecorder(opts: RecorderOptions): Promise<Recorder> {
  const publicKey = parsePublicKey(opts.publicKey);
  const maxBlockBytes = opts.maxBlockBytes ?? DEFAULTS.maxBlockBytes;
  if (!Number.isSafeInteger(maxBlockBytes) || maxBlockBytes < packetSize(1) || maxBlockBytes > 16 << 20) {
    throw new UsageError(`maxBlockBytes must be a whole number between ${packetSize(1)} and ${16 << 20}; got ${maxBlockBytes}.`);
  }
  const flushIntervalMs = opts.flushIntervalMs ?? DEFAULTS.flushIntervalMs;
  // Node runs a longer timer after 1 ms instead (TimeoutOverflowWarning): a block per millisecond.
  if (!(flushIntervalMs > 0 && flushIntervalMs <= MAX_FLUSH_INTERVAL_MS)) throw new UsageError(`flushIntervalMs must be above 0 and at most ${MAX_FLUSH_INTERVAL_MS} (about 24 days); got ${flushIntervalMs}.`);
  const highWaterMark = opts.highWaterMark ?? 8 * (maxBlockBytes + 4 + TAG_BYTES);
  // NaN would never ask the caller to wait: memory would grow without bound.
  if (!(highWaterMark >= 0)) throw new UsageError(`highWaterMark must be a number of bytes, 0 or more; got ${highWaterMark}.`);
  if (opts.pty) checkPty(opts.pty);
  const clock = opts.clock ?? monotonicClock;
  const startMs = opts.startedAt ? timeOf(opts.startedAt) : clock();
  // A start time that is not a number would make a header no reader accepts: everything recorded would be lost.
  if (!Number.isFinite(startMs)) {
    throw new UsageError(opts.startedAt
      ? `The recording's startedAt (${String(opts.startedAt)}) is not a valid Date; pass a Date such as new Date().`
      : `The recording's clock returned ${startMs}, not milliseconds since the epoch; pass a clock such as Date.now.`);
  }
  const sealer = await BlockSealer.create(publicKey);
  const extra: Record<string, unknown> = { ...(opts.extra ?? {}) };
  if (opts.command !== undefined && opts.command !== null) extra.command = opts.command;
  const header: CaptureHeader = {
    startedAt: Math.floor(startMs / 1000),
    dataSize: 0,
    encapsulatedKey: sealer.enc,
    pty: opts.pty,
    exit: null,
    extra,
  };
  const maxWindowChanges = opts.pty ? (opts.maxWindowChanges ?? DEFAULTS.maxWindowChanges) : 0;
  let reserve: number;
  try {
    reserve = headerReserve(header, maxWindowChanges);
  } catch (err) {
    throw new UsageError(`The recording's header cannot be written as JSON (${(err as Error).message.split("\n")[0]}); pass command and extra as plain strings, numbers, arrays and objects.`, { cause: err });
  }
  // Readers refuse a larger header as not a capture: everything recorded behind it would be lost.
  if (reserve > DEFAULT_LIMITS.maxHeaderBytes) {
    throw new UsageError(`The recording's header would take ${reserve} bytes, more than the ${DEFAULT_LIMITS.maxHeaderBytes} readers accept; keep command and extra small, and maxWindowChanges at most a few thousand.`);
  }
  const first = encodeHeader(header, reserve);
  let fh: FileHandle;
  try {
    fh = await open(opts.path, opts.overwrite ? "w" : "wx", 0o640);
  } catch (err) {
    throw writeError(err, opts.path, "create");
  }
  try {
    await fh.write(first, 0, first.length, 0);
  } catch (err) {
    await fh.close().catch(() => undefined);
    throw writeError(err, opts.path, "write");
  }
  return new Recorder(fh, opts.path, sealer, header, reserve, first.length, startMs, clock, {
    flushIntervalMs,
    maxBlockBytes,
    highWaterMark,
    fsync: opts.fsync === true,
    maxWindowChanges,
  });
}

/** Milliseconds since the epoch of a Date, NaN for anything else (an invalid Date, a string). */
const timeOf = (d: unknown): number => (typeof (d as Date | null)?.getTime === "function" ? (d as Date).getTime() : Number.NaN);

const isText = (v: unknown): boolean => v == null || typeof v === "string";

/** A value's kind for a message: "a string", "a Uint16Array", "undefined". */
function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === "object") return `a ${(v as object).constructor?.name ?? "object"}`;
  return `a ${typeof v} (${JSON.stringify(v)?.slice(0, 20)})`;
}

const isU32 = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffff_ffff;

/** ssh-log-cli reads width, height and mode values as u32: anything else would make the file unreadable to it. */
function checkPty(p: Pty): void {
  if (!isU32(p.width) || !isU32(p.height)) throw new UsageError(`The PTY size ${p.width}x${p.height} is not two whole numbers from 0 to 4294967295.`);
  for (const m of p.modes) {
    if (!Array.isArray(m) || typeof m[0] !== "string" || !isU32(m[1])) throw new UsageError(`The PTY mode ${JSON.stringify(m)} is not a [name, value] pair with a value from 0 to 4294967295.`);
  }
}

/**
 * Why close() cannot store this exit, or null: ssh-log-cli reads the status as u32, and a
 * timestamp that is not a number makes a header no reader accepts.
 */
function exitProblem(exit: RecorderExit): string | null {
  if (exit.status !== undefined && exit.status !== null && !isU32(exit.status)) return `The exit status ${exit.status} is not a whole number from 0 to 4294967295.`;
  if (!isText(exit.signal) || !isText(exit.errorMessage)) return `The exit signal and error message must be text or null; got ${typeof exit.signal} and ${typeof exit.errorMessage}.`;
  if (exit.at != null && !Number.isFinite(timeOf(exit.at))) return `The exit time ${String(exit.at)} is not a valid Date; pass a Date such as new Date(), or leave it out.`;
  return null;
}

/** The base64 length to reserve: the header as it will be at close, at its longest, in multiples of 4. */
function headerReserve(h: CaptureHeader, maxWindowChanges: number): number {
  const longest: CaptureHeader = {
    ...h,
    dataSize: Number.MAX_SAFE_INTEGER,
    exit: { timestamp: 99_999_999_999, status: 4_294_967_295, signal: "X".repeat(MAX_SIGNAL_CHARS), coreDumped: false, errorMessage: "x".repeat(MAX_ERROR_CHARS) },
    extra: maxWindowChanges > 0
      ? { ...h.extra, window_changes: Array.from({ length: maxWindowChanges }, (): WindowChange => [99_999_999_999_999, 99_999, 99_999]), window_changes_dropped: 99_999_999 }
      : h.extra,
  };
  const jsonBytes = encodeHeader(longest).length - 4; // base64 of the JSON, unpadded by spaces
  return Math.max(1024, Math.ceil(jsonBytes / 4) * 4);
}

function writeError(err: unknown, path: string, what: "create" | "write"): SshLogError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === "EEXIST") {
    return new OutputError(`The recording ${path} already exists; recordings are never overwritten, so choose a new name.`, { file: path, cause: err }, ErrorCode.OutputExists);
  }
  if (code === "ENOENT") {
    return new OutputError(`The folder for the recording ${path} does not exist; create it first.`, { file: path, cause: err });
  }
  if (code === "ENOSPC" || code === "EDQUOT" || code === "EACCES" || code === "EPERM" || code === "EISDIR") {
    const e = fsError(err, path, "recording");
    return new OutputError(code === "ENOSPC" || code === "EDQUOT" ? e.message : `The recording ${path} cannot be ${what === "create" ? "created" : "written"} (${code}); check the folder's permissions.`, { file: path, cause: err });
  }
  const detail = err instanceof Error ? err.message : String(err);
  return new OutputError(`The recording ${path} could not be ${what === "create" ? "created" : "written"} (${detail}).`, { file: path, cause: err });
}

interface Settings { flushIntervalMs: number; maxBlockBytes: number; highWaterMark: number; fsync: boolean; maxWindowChanges: number }

/**
 * A block waiting to be written: sealed (length prefix, ciphertext, and the bytes they take on
 * disk), or (before block 0 is sealed) still plaintext.
 */
type Framed = { framed: Buffer[]; bytes: number; plain?: undefined };
type Queued = Framed | { plain: Buffer; framed?: undefined; bytes?: undefined };

/**
 * Writes one session into a capture file. `write()` follows Node's Writable contract: it returns
 * false when the caller should wait for 'drain' before writing more, so memory stays bounded.
 * Emits 'drain', and 'error' once if a write to disk fails (later writes are dropped and close()
 * rejects with the same error).
 *
 * @example
 *   if (!rec.write("server", chunk)) upstream.pause(), rec.once("drain", () => upstream.resume());
 */
export class Recorder extends EventEmitter {
  private buf: Buffer;
  private used = 0;
  private readonly queue: Queued[] = [];
  private queuedBytes = 0;
  private plainQueued = 0;
  private position: number;
  private timer: NodeJS.Timeout | null = null;
  private pumping: Promise<void> = Promise.resolve();
  private running = false;
  private lastElapsed = 0;
  private needDrain = false;
  private failure: SshLogError | null = null;
  private closing: Promise<RecordingSummary> | null = null;
  private readonly windowChanges: WindowChange[] = [];
  private windowChangesDropped = 0;
  private headerDirty = false;
  /** Blocks written to disk so far. */
  blocks = 0;
  /** Packets recorded so far (a write larger than a block counts as several). */
  packets = 0;

  /** @internal Use createRecorder(). */
  constructor(
    private readonly fh: FileHandle,
    /** The capture file being written. */
    readonly path: string,
    private readonly sealer: BlockSealer,
    private readonly header: CaptureHeader,
    private readonly reserve: number,
    private readonly headerBytes: number,
    private readonly startMs: number,
    private readonly clock: () => number,
    private readonly settings: Settings,
  ) {
    super();
    this.buf = Buffer.allocUnsafe(Math.min(settings.maxBlockBytes, INITIAL_BUFFER_BYTES));
    this.position = headerBytes;
  }

  /** Bytes accepted but not yet on disk (buffered plaintext and sealed blocks in flight). */
  get pendingBytes(): number { return this.used + this.queuedBytes; }

  /** True once close() was called: write() would throw. */
  get closed(): boolean { return this.closing !== null; }

  /** The error that stopped the recording, if one did. */
  get error(): SshLogError | null { return this.failure; }

  /** Microseconds since the session start, never less than the previous value. */
  private elapsed(): number {
    const now = Math.round((this.clock() - this.startMs) * 1000);
    if (now > this.lastElapsed) this.lastElapsed = now;
    return this.lastElapsed;
  }

  /**
   * Records `data` from one side. `stderr` marks server data that came as SSH extended data
   * (stderr). Returns false when the caller should wait for 'drain' before writing more.
   *
   * @example rec.write("client", Buffer.from("ls\r"));
   */
  write(source: RecorderSource, data: Uint8Array, opts?: { stderr?: boolean }): boolean {
    if (this.closing) throw new UsageError(`The recording ${this.path} is closed; nothing more can be written to it.`, { file: this.path });
    // Anything else was recorded wrong without a word: a DataView or a number as nothing, a Uint16Array as its low bytes.
    if (!(data instanceof Uint8Array)) throw new UsageError(`write() takes the bytes as a Buffer or Uint8Array; got ${describe(data)}.`, { file: this.path });
    if (source !== "client" && source !== "server" && source !== 0 && source !== 1) throw new UsageError(`write() takes the source "client", "server", 0 or 1; got ${describe(source)}.`, { file: this.path });
    if (this.failure) return false;
    if (data.length === 0) return !this.needDrain;
    const src = source === "client" || source === 0 ? 0 : 1;
    const code = opts?.stderr ? 1 : 0;
    const t = this.elapsed();
    const max = this.settings.maxBlockBytes;
    const maxData = max - packetSize(0);
    for (let off = 0; off < data.length;) {
      let n = Math.min(data.length - off, maxData);
      const room = max - this.used;
      if (packetSize(n) > room) {
        // Bulk output fills the block (the rest follows as a packet with the same time); a small
        // write that does not fit starts the next block instead of leaving a sliver.
        if (room - packetSize(0) >= MIN_SPLIT_BYTES) n = room - packetSize(0);
        else this.sealPending();
      }
      this.reserveRoom(packetSize(n));
      this.used = encodePacketInto(this.buf, this.used, src, code, t, data.subarray(off, off + n));
      this.packets++;
      off += n;
    }
    // A block that cannot take even a one-byte packet more is sealed now; otherwise the timer does it.
    if (this.used + packetSize(1) > max) this.sealPending();
    else if (this.used > 0 && this.timer === null) this.armTimer();
    if (this.pendingBytes >= this.settings.highWaterMark) {
      this.needDrain = true;
      return false;
    }
    return true;
  }

  /**
   * Records a terminal size change (PTY sessions) as the header extension `window_changes`:
   * [elapsed_micros, columns, rows] entries, rewritten with the header at the next flush.
   *
   * @example rec.resize(100, 30);
   */
  resize(columns: number, rows: number): void {
    if (this.closing || this.failure || this.settings.maxWindowChanges === 0) return;
    const t = this.elapsed();
    const list = this.windowChanges;
    const last = list[list.length - 1];
    if (last && (t - last[0] < RESIZE_COALESCE_MICROS || list.length >= this.settings.maxWindowChanges)) {
      if (t - last[0] >= RESIZE_COALESCE_MICROS) this.windowChangesDropped++;
      list[list.length - 1] = [t, columns, rows];
    } else {
      list.push([t, columns, rows]);
    }
    this.headerDirty = true;
    if (this.timer === null) this.armTimer();
  }

  /**
   * Seals what is buffered and waits until every block is on disk (fsynced with the `fsync` option).
   *
   * @example await rec.flush();   // the file now decrypts up to here
   */
  async flush(): Promise<void> {
    this.sealPending();
    if (this.headerDirty) this.kick();
    await this.idle();
    if (this.failure) throw this.failure;
  }

  /**
   * Flushes, rewrites the header in place with exit_data and data_size, fsyncs and closes the
   * file. Without `exit`, the header keeps exit_data null ("no termination data"). Calling it
   * again returns the same result.
   *
   * @example await rec.close({ status: 0 });  await rec.close({ signal: "KILL", coreDumped: false });
   */
  close(exit?: RecorderExit | null): Promise<RecordingSummary> {
    // Refused before anything is final, so a corrected close() still works.
    const problem = !this.closing && exit ? exitProblem(exit) : null;
    if (problem) return Promise.reject(new UsageError(problem, { file: this.path }));
    this.closing ??= this.finish(exit ?? null);
    return this.closing;
  }

  private async finish(exit: RecorderExit | null): Promise<RecordingSummary> {
    this.clearTimer();
    this.sealPending();
    await this.idle();
    try {
      if (this.failure) throw this.failure;
      if (exit) {
        this.header.exit = {
          timestamp: Math.floor((exit.at ? timeOf(exit.at) : this.clock()) / 1000),
          status: exit.status ?? null,
          signal: exit.signal == null ? null : exit.signal.slice(0, MAX_SIGNAL_CHARS),
          coreDumped: exit.coreDumped === true,
          errorMessage: exit.errorMessage == null ? null : exit.errorMessage.slice(0, MAX_ERROR_CHARS),
        };
      }
      this.header.dataSize = this.position - this.headerBytes;
      await this.writeHeader();
      await this.fh.sync();
    } catch (err) {
      const e = err instanceof SshLogError ? err : writeError(err, this.path, "write");
      this.failure ??= e;
      throw e;
    } finally {
      await this.fh.close().catch(() => undefined);
    }
    return { path: this.path, fileBytes: this.position, dataSize: this.header.dataSize, blocks: this.blocks, packets: this.packets, exit: this.header.exit };
  }

  /** Rewrites the header at offset 0 in exactly its reserved length, fitting what must fit. */
  private async writeHeader(): Promise<void> {
    const extra = { ...this.header.extra };
    if (this.windowChanges.length > 0) extra.window_changes = this.windowChanges;
    if (this.windowChangesDropped > 0) extra.window_changes_dropped = this.windowChangesDropped;
    let bytes: Buffer;
    try {
      bytes = encodeHeader({ ...this.header, extra }, this.reserve);
    } catch {
      // Only an error message or signal full of escaped characters (6 bytes each) can overflow the reserve: shorten them.
      const e = this.header.exit;
      const exit = e && { ...e, signal: e.signal && e.signal.slice(0, 4), errorMessage: e.errorMessage && e.errorMessage.slice(0, 32) };
      bytes = encodeHeader({ ...this.header, exit, extra }, this.reserve);
    }
    this.headerDirty = false;
    await this.fh.write(bytes, 0, bytes.length, 0);
  }

  /** Grows the plaintext buffer (up to maxBlockBytes) so that `bytes` more fit. */
  private reserveRoom(bytes: number): void {
    const need = this.used + bytes;
    if (need <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.min(this.settings.maxBlockBytes, Math.max(need, this.buf.length * 2)));
    this.buf.copy(grown, 0, 0, this.used);
    this.buf = grown;
  }

  private armTimer(): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      this.sealPending();
      if (this.headerDirty) this.kick();
    }, this.settings.flushIntervalMs);
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Seals the buffered packets as one block and queues it for writing. */
  private sealPending(): void {
    this.clearTimer();
    if (this.used === 0 || this.failure) return;
    const plain = this.buf.subarray(0, this.used);
    // A buffer that filled up (bulk output) keeps its size; otherwise start small again.
    const bulk = this.used * 2 >= this.buf.length;
    const smallSize = Math.min(this.settings.maxBlockBytes, INITIAL_BUFFER_BYTES);
    this.used = 0;
    if (this.sealer.ready && this.plainQueued === 0) {
      // Sealed at once: the plaintext buffer is free again, so bulk output reuses it.
      const block = frame(...this.sealer.sealSyncParts(plain));
      if (!bulk) this.buf = Buffer.allocUnsafe(smallSize);
      this.queue.push(block);
      this.queuedBytes += block.bytes;
    } else {
      this.buf = Buffer.allocUnsafe(bulk ? this.buf.length : smallSize);
      // Block 0 is sealed asynchronously (through @hpke/core); blocks behind it wait in order.
      this.queue.push({ plain });
      this.plainQueued++;
      this.queuedBytes += plain.length + 4 + TAG_BYTES;
    }
    this.kick();
  }

  private kick(): void {
    // `running` is cleared inside pump() in the same tick its loop ends: no gap where work is stranded.
    if (this.running) return;
    this.running = true;
    this.pumping = this.pump();
  }

  private async idle(): Promise<void> {
    while (this.running) await this.pumping;
  }

  /** Writes queued blocks in order, one write call for all that are ready. */
  private async pump(): Promise<void> {
    try {
      while (this.queue.length > 0 || this.headerDirty) {
        if (this.queue.length > 0) {
          for (let i = 0; i < this.queue.length; i++) {
            const q = this.queue[i]!;
            if (q.plain) {
              const sealed = this.sealer.ready ? this.sealer.sealSyncParts(q.plain) : [await this.sealer.seal(q.plain)];
              this.queue[i] = frame(...sealed);
              this.plainQueued--;
            }
          }
          // At most half the high-water mark per write: the caller refills the other half while it runs.
          let take = 0;
          let total = 0;
          while (take < this.queue.length && (take === 0 || total < this.settings.highWaterMark / 2)) total += this.queue[take++]!.bytes!;
          const blocks = this.queue.splice(0, take);
          await writeAllAt(this.fh, blocks.flatMap((q) => q.framed!), this.position);
          this.position += total;
          this.queuedBytes -= total;
          this.blocks += blocks.length;
        }
        if (this.headerDirty && !this.closing) await this.writeHeader();
        else this.headerDirty = false;
        if (this.settings.fsync) await this.fh.datasync();
        if (this.needDrain && this.pendingBytes < this.settings.highWaterMark) {
          this.needDrain = false;
          this.emit("drain");
        }
      }
    } catch (err) {
      this.fail(err instanceof SshLogError ? err : writeError(err, this.path, "write"));
    } finally {
      this.running = false;
    }
  }

  private fail(err: SshLogError): void {
    if (this.failure) return;
    this.failure = err;
    this.clearTimer();
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.used = 0;
    if (this.listenerCount("error") > 0) this.emit("error", err);
  }
}

/**
 * A block as written: its u32 length prefix, then the sealed bytes (ciphertext and tag, as one
 * buffer or two), all handed to one writev (no copy); and the bytes it takes, counted once here.
 */
function frame(...sealed: Buffer[]): Framed {
  const length = sealed.reduce((n, b) => n + b.length, 0);
  const prefix = Buffer.allocUnsafe(4);
  prefix.writeUInt32BE(length, 0);
  return { framed: [prefix, ...sealed], bytes: 4 + length };
}

/** writev at a position, continuing after a short write. */
async function writeAllAt(fh: FileHandle, items: Buffer[], position: number): Promise<void> {
  let bufs = items;
  let at = position;
  while (bufs.length > 0) {
    const { bytesWritten } = await fh.writev(bufs, at);
    at += bytesWritten;
    let skip = bytesWritten;
    while (bufs.length > 0 && skip >= bufs[0]!.length) { skip -= bufs[0]!.length; bufs = bufs.slice(1); }
    if (skip > 0) bufs = [bufs[0]!.subarray(skip), ...bufs.slice(1)];
  }
}
