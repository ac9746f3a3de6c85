import { BadHeaderError, BlockAuthError, SshLogError, TruncatedError, WrongKeyError } from "../errors.js";
import { BlockOpener } from "../crypto/block-opener.js";
import { CaptureFramer, truncationError, type FrameEvent } from "../format/framing.js";
import { type CaptureHeader, parseHeader } from "../format/header.js";
import { DEFAULT_LIMITS, type ParseLimits } from "../format/limits.js";
import { PacketParser } from "../format/packets.js";
import { newOutcome, sessionOf, type Session, type SessionEvent, type SessionInfo } from "./model.js";
import { DEFAULT_CHUNK_BYTES, readChunks } from "./read-chunks.js";

export interface OpenCaptureOptions {
  /** The raw 32-byte X25519 private key. */
  privateKey: Uint8Array;
  /**
   * "lenient" (default): stop at the first block that does not authenticate or a cut, keep what
   * came before, and report the problem in `outcome.error`. "strict": throw it instead.
   */
  mode?: "lenient" | "strict";
  limits?: Partial<ParseLimits>;
  /** Read size for file paths. */
  chunkBytes?: number;
  /** Bytes to read instead of the file (tests feed odd chunk sizes this way); `path` still names it. */
  source?: AsyncIterable<Uint8Array>;
}

/** A capture file's metadata, as its cleartext header states it. */
export function infoFromHeader(path: string, h: CaptureHeader): SessionInfo {
  const command = typeof h.extra.command === "string" ? h.extra.command : null;
  return { kind: "capture", path, startedAt: h.startedAt, pty: h.pty, exit: h.exit, command, extra: { ...h.extra, data_size: h.dataSize } };
}

/**
 * Opens an encrypted capture as a Session. Reads the header now (so `info` is ready), and checks
 * the key against block 0 now (so a wrong key fails here, before any output exists); the rest is
 * read, opened and parsed as the caller iterates, in `chunkBytes` reads.
 *
 * @example
 *   const s = await openCapture("session.log", { privateKey });
 *   for await (const batch of s.batches()) for (const ev of batch) handle(ev);
 */
export async function openCapture(path: string, opts: OpenCaptureOptions): Promise<Session> {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const strict = opts.mode === "strict";
  const chunks = (opts.source ?? readChunks(path, "capture", opts.chunkBytes ?? DEFAULT_CHUNK_BYTES))[Symbol.asyncIterator]();
  const framer = new CaptureFramer(path, limits);
  const parser = new PacketParser(path, limits);
  const outcome = newOutcome();
  const pending: FrameEvent[] = [];
  const collect = (ev: FrameEvent): void => { pending.push(ev); };

  // Read until the header and block 0 are in hand, the file ends, or a length field is bad.
  let header: CaptureHeader | null = null;
  let headerBytes = 0;
  let ended = false;
  let stopError: SshLogError | null = null;
  let opener: BlockOpener;
  let firstPlain: Buffer | null = null;
  try {
    while (!ended && stopError === null && !pending.some((e) => e.type === "block")) {
      const r = await chunks.next();
      if (r.done) { ended = true; break; }
      const from = pending.length;
      try {
        framer.push(r.value, collect);
      } catch (err) {
        if (!(err instanceof SshLogError)) throw err;
        stopError = err;
      }
      for (let i = from; i < pending.length; i++) {
        const ev = pending[i]!;
        if (ev.type === "header") {
          header = parseHeader(ev.bytes, path);
          headerBytes = ev.length;
        } else {
          // Blocks are views of the reused read buffer: keep copies across the next read.
          pending[i] = { ...ev, data: Uint8Array.from(ev.data) };
        }
      }
      pending.splice(0, pending.length, ...pending.filter((e) => e.type === "block"));
    }
    if (header === null) {
      if (stopError) throw stopError;
      throw truncationError(path, framer.end() ?? { part: "header-length", offset: 0, missingBytes: 4 });
    }
    const firstBlock = pending[0] as Extract<FrameEvent, { type: "block" }> | undefined;
    if (firstBlock === undefined && stopError) throw stopError;
    try {
      opener = await BlockOpener.create(opts.privateKey, header.encapsulatedKey);
    } catch (cause) {
      // A forged encapsulated_key of small order makes X25519 yield zero: no key could open it.
      // (Programming errors are not the file's fault: they stay internal errors.)
      if (cause instanceof TypeError || cause instanceof ReferenceError || cause instanceof RangeError) throw cause;
      throw new BadHeaderError(`${path} is not a valid SSH session capture: its header's encapsulated_key is not a usable X25519 public key; the header was altered or damaged.`, { file: path, offset: 4, cause });
    }
    if (firstBlock !== undefined) {
      firstPlain = await opener.openFirst(firstBlock.data);
      if (firstPlain === null) {
        throw new WrongKeyError(`${path} was not encrypted for this key (block 0 does not open with it, or its header was altered); use the private key whose .pub was uploaded when this session was recorded.`, { file: path, offset: firstBlock.offset, blockIndex: 0 });
      }
    }
  } catch (err) {
    await chunks.return?.(); // close the file: the caller never gets a Session to drain
    throw err;
  }
  const info = infoFromHeader(path, header);
  const declared = header.dataSize;

  async function* readAll(): AsyncGenerator<SessionEvent[], void, undefined> {
    yield* read();
    if (strict && outcome.error) throw outcome.error;
  }

  async function* read(): AsyncGenerator<SessionEvent[], void, undefined> {
    let batch: SessionEvent[] = [];
    const onPacket = (p: SessionEvent): void => { batch.push(p); };
    // The first problem ends reading; strict mode throws it only after the packets that
    // authenticated before it were handed on (nothing that authenticated is thrown away).
    const fail = (err: SshLogError): void => { outcome.error ??= err; };
    // Opens queued blocks into packets; false once a block fails (reading stops there).
    const drain = (): boolean => {
      for (const ev of pending) {
        if (ev.type !== "block") continue;
        const plain = ev.index === 0 ? firstPlain : opener.open(ev.data);
        if (plain === null) {
          pending.length = 0;
          fail(new BlockAuthError(`${path}: block ${ev.index} at byte ${ev.offset} does not authenticate, so the file was altered or damaged from there on; the ${ev.index} blocks before it were kept, and a copy fetched again may hold the rest.`, { file: path, offset: ev.offset, blockIndex: ev.index }));
          return false;
        }
        outcome.blocks++;
        try {
          parser.push(plain, onPacket);
        } catch (err) {
          pending.length = 0;
          if (!(err instanceof SshLogError)) throw err;
          fail(err);
          return false;
        }
      }
      pending.length = 0;
      return true;
    };
    function* flush(): Iterable<SessionEvent[]> {
      if (batch.length === 0) return;
      outcome.events += batch.length;
      const out = batch;
      batch = [];
      yield out;
    }
    try {
      let ok = drain();
      yield* flush();
      if (!ok) return;
      while (!ended && stopError === null) {
        const r = await chunks.next();
        if (r.done) break;
        try {
          framer.push(r.value, collect);
        } catch (err) {
          if (!(err instanceof SshLogError)) throw err;
          stopError = err; // a length field out of bounds: open what came before it, then stop
        }
        ok = drain();
        yield* flush();
        if (!ok) return;
      }
      if (stopError) { fail(stopError); return; }
      const cut = framer.end();
      if (cut) { fail(truncationError(path, cut)); return; }
      if (parser.pending > 0) {
        fail(new TruncatedError(`${path} ends after block ${framer.blocks - 1} in the middle of a packet (${parser.pending} bytes of it present); the data before it was kept, fetch the file again for the rest.`, { file: path, offset: framer.position, blockIndex: framer.blocks, missingBytes: 0 }));
        return;
      }
      const streamBytes = framer.position - headerBytes;
      if (declared !== null && declared > streamBytes) {
        fail(new TruncatedError(`${path} ends on a block boundary but is ${declared - streamBytes} bytes shorter than its header declares (data_size ${declared}); the data present was kept, fetch the file again for the rest.`, { file: path, offset: framer.position, blockIndex: framer.blocks, missingBytes: declared - streamBytes }));
        return;
      }
      outcome.complete = true;
    } finally {
      await chunks.return?.();
    }
  }
  return sessionOf({ info, outcome, read: readAll, release: async () => { await chunks.return?.(); } });
}
