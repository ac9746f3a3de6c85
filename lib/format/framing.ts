import { BadHeaderError, BlockAuthError, ErrorCode, LimitError, TruncatedError } from "../errors.js";
import { DEFAULT_LIMITS, type ParseLimits, TAG_BYTES } from "./limits.js";

/** What the framer finds in the byte stream of a capture file. */
export type FrameEvent =
  | { type: "header"; bytes: Uint8Array; offset: number; length: number }
  | { type: "block"; index: number; offset: number; data: Uint8Array };

/** Where a file that ended early stopped: which part, at what offset, and how much was missing. */
export interface Truncation {
  part: "header-length" | "header" | "block-length" | "block";
  /** Offset of the part that was cut (its length prefix for a block). */
  offset: number;
  /** Bytes the part still needed; for a cut length prefix, the prefix's missing bytes. */
  missingBytes: number;
  /** Index of the block that was cut, for block parts. */
  blockIndex?: number;
}

const enum State { HeaderLength, Header, BlockLength, Block }

/**
 * Splits a capture's bytes into its header and its blocks, whatever the chunk sizes it is fed.
 * Buffers only the incomplete remainder: a block wholly inside a chunk is passed on as a view of
 * that chunk (no copy), a block that spans chunks is gathered once into a buffer of its exact size.
 * Length fields are checked against `limits` before anything is allocated.
 *
 * @example
 *   const f = new CaptureFramer("s.log");
 *   for await (const chunk of stream) f.push(chunk, (ev) => handle(ev));
 *   const cut = f.end();   // undefined when the file ended on a boundary
 */
export class CaptureFramer {
  private state = State.HeaderLength;
  private readonly lenBuf = new Uint8Array(4);
  private lenHave = 0;
  private part: Uint8Array | null = null;
  private partHave = 0;
  private partOffset = 0;
  private blockIndex = 0;
  /** Bytes consumed so far: the offset of the next byte. */
  position = 0;

  constructor(private readonly file: string, private readonly limits: ParseLimits = DEFAULT_LIMITS) {}

  /** Index the next block will get: the number of whole blocks seen so far. */
  get blocks(): number { return this.blockIndex; }

  /** True while the stream is at a block boundary (or right after the header). */
  get atBoundary(): boolean { return this.state === State.BlockLength && this.lenHave === 0; }

  /** Feeds bytes; `emit` is called synchronously for each complete header or block. */
  push(chunk: Uint8Array, emit: (ev: FrameEvent) => void): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.state === State.HeaderLength || this.state === State.BlockLength) {
        // Fast path: the whole length field is in this chunk.
        let len: number;
        if (this.lenHave === 0 && n - i >= 4) {
          len = ((chunk[i]! << 24) | (chunk[i + 1]! << 16) | (chunk[i + 2]! << 8) | chunk[i + 3]!) >>> 0;
          i += 4;
        } else {
          const take = Math.min(4 - this.lenHave, n - i);
          this.lenBuf.set(chunk.subarray(i, i + take), this.lenHave);
          this.lenHave += take;
          i += take;
          if (this.lenHave < 4) break;
          this.lenHave = 0;
          const b = this.lenBuf;
          len = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
        }
        const lenOffset = this.position + i - 4;
        this.startPart(len, lenOffset);
        this.partOffset = lenOffset;
        this.state = this.state === State.HeaderLength ? State.Header : State.Block;
        // A block that lies wholly in this chunk is passed on without a copy.
        if (n - i >= len) {
          this.finishPart(chunk.subarray(i, i + len), emit);
          i += len;
        } else {
          this.part = new Uint8Array(len);
          this.partHave = 0;
        }
        continue;
      }
      const part = this.part!;
      const take = Math.min(part.length - this.partHave, n - i);
      part.set(chunk.subarray(i, i + take), this.partHave);
      this.partHave += take;
      i += take;
      if (this.partHave === part.length) {
        this.part = null;
        this.finishPart(part, emit);
      }
    }
    this.position += n;
  }

  /** Checks a length field before anything is allocated for it. */
  private startPart(len: number, offset: number): void {
    if (this.state === State.HeaderLength) {
      if (len === 0) {
        throw new BadHeaderError(`${this.file} is not an SSH session capture: its header length is 0; check that you gave the encrypted .log file.`, { file: this.file, offset: 0 });
      }
      if (len > this.limits.maxHeaderBytes) {
        throw new BadHeaderError(`${this.file} is not an SSH session capture: its first 4 bytes give a header length of ${len} bytes, more than the ${this.limits.maxHeaderBytes} any capture uses; check that you gave the encrypted .log file.`, { file: this.file, offset: 0 });
      }
      return;
    }
    if (len < TAG_BYTES) {
      throw new BlockAuthError(`${this.file}: block ${this.blockIndex} at byte ${offset} claims ${len} bytes, too short to be a sealed block; the file was altered or damaged from there on.`, { file: this.file, offset, blockIndex: this.blockIndex });
    }
    if (len > this.limits.maxBlockBytes) {
      throw new LimitError(`${this.file}: block ${this.blockIndex} at byte ${offset} claims ${len} bytes, more than the limit of ${this.limits.maxBlockBytes}; the file is damaged, or raise the limit with --max-block-bytes if it is genuine.`, { file: this.file, offset, blockIndex: this.blockIndex });
    }
  }

  private finishPart(bytes: Uint8Array, emit: (ev: FrameEvent) => void): void {
    if (this.state === State.Header) {
      this.state = State.BlockLength;
      emit({ type: "header", bytes, offset: this.partOffset, length: 4 + bytes.length });
    } else {
      this.state = State.BlockLength;
      emit({ type: "block", index: this.blockIndex++, offset: this.partOffset, data: bytes });
    }
  }

  /** Ends the stream; returns where it was cut, or undefined when it ended on a boundary. */
  end(): Truncation | undefined {
    const end = this.position;
    switch (this.state) {
      case State.HeaderLength:
        return { part: "header-length", offset: 0, missingBytes: 4 - this.lenHave };
      case State.Header:
        return { part: "header", offset: this.partOffset, missingBytes: this.part!.length - this.partHave };
      case State.BlockLength:
        return this.lenHave === 0 ? undefined : { part: "block-length", offset: end - this.lenHave, missingBytes: 4 - this.lenHave, blockIndex: this.blockIndex };
      case State.Block:
        return { part: "block", offset: this.partOffset, missingBytes: this.part!.length - this.partHave, blockIndex: this.blockIndex };
    }
  }
}

/**
 * The error for a truncation found by `CaptureFramer.end()`, as one plain sentence. `kept` says what
 * became of the blocks before a cut block (a reader keeps them; inspect only counts them).
 */
export function truncationError(file: string, t: Truncation, kept = "everything before it was kept"): TruncatedError | BadHeaderError {
  if (t.part === "header-length" || t.part === "header") {
    if (t.part === "header-length" && t.missingBytes === 4) {
      return new BadHeaderError(`${file} is empty; it holds no capture (was the download interrupted?).`, { file, offset: 0 }, ErrorCode.EmptyFile);
    }
    return new TruncatedError(`${file} ends inside its header, ${t.missingBytes} bytes short; nothing can be decrypted, fetch the file again.`, { file, offset: t.offset, missingBytes: t.missingBytes });
  }
  const what = t.part === "block-length" ? "the length of block" : "block";
  return new TruncatedError(`${file} ends inside ${what} ${t.blockIndex} (at byte ${t.offset}), ${t.missingBytes} bytes short; ${kept}, fetch the file again for the rest.`, { file, offset: t.offset, blockIndex: t.blockIndex ?? 0, missingBytes: t.missingBytes });
}
