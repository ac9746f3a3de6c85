import { open, type FileHandle } from "node:fs/promises";
import { crc32 } from "node:zlib";

/**
 * A streaming zip writer for stored (uncompressed) entries, laid out as archiver 8 lays out a
 * streamed store entry (local header with a data descriptor, zip64 when an entry, an offset or the
 * central directory passes 4 GiB, unix mode, UTC DOS time), so unzip, Python's zipfile and yauzl
 * read it. It replaces archiver on the decrypt path: archiver's import alone took ~180 ms here and
 * its CRC-32 is JavaScript; this one gathers bytes into 1 MiB buffers, takes the CRC with node's
 * zlib.crc32 once per buffer, and keeps one write in flight while the next buffer fills.
 */

const SIG_LFH = 0x04034b50;
const SIG_DD = 0x08074b50;
const SIG_CFH = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOC = 0x07064b50;
const MAGIC32 = 0xffffffff;
const FLAG_DATA_DESCRIPTOR = 1 << 3;
const FLAG_UTF8 = 1 << 11;
const VERSION_DD = 20;
const VERSION_ZIP64 = 45;
const PLATFORM_UNIX = 3;
const S_IFREG = 0o100000;

/** Gather-buffer size: large writes, and a CRC call per MiB rather than per packet. */
export const ZIP_BUFFER_BYTES = 1 << 20;

/**
 * DOS date and time as archiver computes it (UTC fields; clamped to 1980..2043).
 *
 * @example dosDateTime(new Date(0)) === 2162688   // 1980-01-01 00:00:00
 */
export function dosDateTime(d: Date): number {
  const year = d.getUTCFullYear();
  if (year < 1980) return 2162688;
  if (year >= 2044) return 2141175677;
  return (((year - 1980) << 25) | ((d.getUTCMonth() + 1) << 21) | (d.getUTCDate() << 16) | (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() / 2)) >>> 0;
}

function u64(b: Buffer, at: number, v: number): void {
  b.writeUInt32LE(v % 0x1_0000_0000, at);
  b.writeUInt32LE(Math.floor(v / 0x1_0000_0000), at + 4);
}

/**
 * Writes all `len` bytes of `buf` at `pos`. One write(2) may write fewer bytes without an error
 * (a disk that fills up mid-write does exactly that); the next call then reports ENOSPC.
 */
async function writeFully(fh: FileHandle, buf: Buffer, len: number, pos: number): Promise<void> {
  for (let done = 0; done < len;) {
    const { bytesWritten } = await fh.write(buf, done, len - done, pos + done);
    if (bytesWritten === 0) throw Object.assign(new Error("no bytes written (disk full?)"), { code: "ENOSPC" });
    done += bytesWritten;
  }
}

interface EntryRecord { name: Buffer; utf8: boolean; offset: number; crc: number; size: number; time: number; mode: number }

/**
 * Writes bytes to a file through two alternating gather buffers, with at most one write in
 * flight: the next buffer fills while the previous one is written. Used for the zip and the spool.
 */
export class GatherFile {
  private bufs: [Buffer, Buffer];
  private cur = 0;
  /** Bytes in the current buffer. */
  len = 0;
  /** File offset of the current buffer's first byte. */
  private base = 0;
  private inFlight: Promise<unknown> | null = null;

  constructor(private readonly fh: FileHandle, size = ZIP_BUFFER_BYTES) {
    this.bufs = [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)];
  }

  get buffer(): Buffer { return this.bufs[this.cur]!; }
  /** Bytes written or gathered so far: the offset of the next byte. */
  get position(): number { return this.base + this.len; }
  get capacity(): number { return this.buffer.length; }

  /** Sends the current buffer to the file and switches buffers; waits only for the previous write. */
  async flush(): Promise<void> {
    if (this.inFlight) { const p = this.inFlight; this.inFlight = null; await p; }
    if (this.len === 0) return;
    const buf = this.buffer;
    const p = writeFully(this.fh, buf, this.len, this.base);
    p.catch(() => undefined); // awaited at the next flush; this only keeps it from being "unhandled"
    this.inFlight = p;
    this.base += this.len;
    this.len = 0;
    this.cur ^= 1;
  }

  /** Waits until everything gathered is in the file. */
  async drain(): Promise<void> {
    await this.flush();
    if (this.inFlight) { const p = this.inFlight; this.inFlight = null; await p; }
  }
}

/**
 * The spool for an entry that is produced alongside another one: kept in memory while it fits in
 * one buffer, spilled to `path` past that, so memory stays bounded whatever the session's size.
 *
 * @example const s = new Spool(tmp); s.write(bytes); await zip.copyFrom(s);
 */
export class Spool {
  private file: GatherFile | null = null;
  private fh: FileHandle | null = null;
  private readonly mem = Buffer.allocUnsafe(ZIP_BUFFER_BYTES);
  private memLen = 0;
  /** Bytes spooled. */
  size = 0;

  constructor(readonly path: string) {}

  /** Appends an ASCII string (timing lines); returns a promise only when it must wait for the disk. */
  writeString(s: string): Promise<void> | undefined {
    if (this.file === null && this.memLen + s.length <= this.mem.length) {
      this.memLen += this.mem.write(s, this.memLen, "latin1");
      this.size += s.length;
      return undefined;
    }
    return this.write(Buffer.from(s, "latin1"));
  }

  /** Appends bytes; returns a promise only when it must wait for the disk. */
  write(data: Uint8Array): Promise<void> | undefined {
    this.size += data.length;
    if (this.file === null) {
      if (this.memLen + data.length <= this.mem.length) {
        this.mem.set(data, this.memLen);
        this.memLen += data.length;
        return undefined;
      }
      return this.spill(data);
    }
    return gather(this.file, data, null);
  }

  private async spill(data: Uint8Array): Promise<void> {
    this.fh = await open(this.path, "w+");
    this.file = new GatherFile(this.fh);
    const pending = gather(this.file, this.mem.subarray(0, this.memLen), null);
    if (pending) await pending;
    this.memLen = 0;
    const more = gather(this.file, data, null);
    if (more) await more;
  }

  /** Feeds the spooled bytes, in order, to `sink`, which must copy them before its promise (if any) resolves. */
  async replay(sink: (chunk: Uint8Array) => Promise<void> | undefined): Promise<void> {
    if (this.file === null) {
      if (this.memLen > 0) await sink(this.mem.subarray(0, this.memLen));
      return;
    }
    await this.file.drain();
    // One buffer is enough: the sink has copied a chunk by the time its promise resolves.
    const buf = Buffer.allocUnsafe(ZIP_BUFFER_BYTES);
    for (let pos = 0; pos < this.size;) {
      const { bytesRead } = await this.fh!.read(buf, 0, ZIP_BUFFER_BYTES, pos);
      if (bytesRead === 0) throw new Error(`the spool file ${this.path} ended early`);
      pos += bytesRead;
      const p = sink(buf.subarray(0, bytesRead));
      if (p) await p;
    }
  }

  /** Closes the spool file, if one was opened (the caller removes it). */
  async close(): Promise<void> {
    if (this.fh) { const fh = this.fh; this.fh = null; await fh.close(); }
  }
}

/**
 * Copies `data` into `f`'s gather buffers, flushing full ones. With `crc`, the CRC of the bytes
 * in each buffer from `crc.from` is folded in before the buffer leaves. Returns a promise only
 * when a flush was needed.
 */
export function gather(f: GatherFile, data: Uint8Array, crc: CrcState | null): Promise<void> | undefined {
  const room = f.capacity - f.len;
  if (data.length <= room) {
    f.buffer.set(data, f.len);
    f.len += data.length;
    return undefined;
  }
  return gatherSlow(f, data, crc);
}

async function gatherSlow(f: GatherFile, data: Uint8Array, crc: CrcState | null): Promise<void> {
  let i = 0;
  while (i < data.length) {
    const take = Math.min(f.capacity - f.len, data.length - i);
    f.buffer.set(data.subarray(i, i + take), f.len);
    f.len += take;
    i += take;
    if (f.len === f.capacity) {
      if (crc) crc.fold(f);
      await f.flush();
    }
  }
}

/** The running CRC-32 of the current entry's bytes in a GatherFile. */
class CrcState {
  value = 0;
  /** Index in the current buffer where the entry's not-yet-summed bytes start. */
  from = 0;
  /** Sums the entry's bytes in the current buffer; called before the buffer is flushed. */
  fold(f: GatherFile): void {
    if (f.len > this.from) this.value = crc32(f.buffer.subarray(this.from, f.len), this.value);
    this.from = 0;
  }
}

/**
 * A zip of stored entries, written front to back to `path`: `begin(name)`, `write(bytes)` any
 * number of times, `end()`, and `finish()` for the central directory.
 *
 * @example
 *   const z = await StoreZipWriter.create("out.zip");
 *   z.begin("term_data.txt", 0o755, new Date());
 *   await z.write(bytes);
 *   await z.end();
 *   await z.finish();
 */
export class StoreZipWriter {
  private readonly entries: EntryRecord[] = [];
  private current: EntryRecord | null = null;
  private readonly crc = new CrcState();
  private dataStart = 0;

  private constructor(private readonly fh: FileHandle, private readonly out: GatherFile) {}

  static async create(path: string): Promise<StoreZipWriter> {
    const fh = await open(path, "w");
    return new StoreZipWriter(fh, new GatherFile(fh));
  }

  /** Starts an entry: its local header (sizes and CRC follow the data, in a data descriptor). */
  begin(name: string, mode: number, date: Date): Promise<void> | undefined {
    if (this.current) throw new Error("end() the previous zip entry first");
    const nameBytes = Buffer.from(name, "utf8");
    const utf8 = nameBytes.length !== name.length;
    const e: EntryRecord = { name: nameBytes, utf8, offset: this.out.position, crc: 0, size: 0, time: dosDateTime(date), mode };
    const h = Buffer.alloc(30);
    h.writeUInt32LE(SIG_LFH, 0);
    h.writeUInt16LE(VERSION_DD, 4);
    h.writeUInt16LE(FLAG_DATA_DESCRIPTOR | (utf8 ? FLAG_UTF8 : 0), 6);
    h.writeUInt16LE(0, 8); // stored
    h.writeUInt32LE(e.time, 10);
    // CRC and sizes (14..25) stay 0: the data descriptor carries them.
    h.writeUInt16LE(nameBytes.length, 26);
    h.writeUInt16LE(0, 28);
    this.current = e;
    const p1 = gather(this.out, h, null);
    const finish = (): Promise<void> | undefined => {
      const p2 = gather(this.out, nameBytes, null);
      const mark = (): void => { this.dataStart = this.out.position; this.crc.value = 0; this.crc.from = this.out.len; };
      if (p2) return p2.then(mark);
      mark();
      return undefined;
    };
    return p1 ? p1.then(finish) : finish();
  }

  /**
   * Appends bytes to the current entry; the bytes are copied, so the caller may reuse them at
   * once. Returns a promise only when a buffer had to be written first: `const p = z.write(b); if (p) await p;`.
   */
  write(data: Uint8Array): Promise<void> | undefined {
    return gather(this.out, data, this.crc);
  }

  /** Appends an ASCII string to the current entry (UTF-8 text must go through `write`). */
  writeString(s: string): Promise<void> | undefined {
    const f = this.out;
    if (s.length <= f.capacity - f.len) {
      f.len += f.buffer.write(s, f.len, "latin1");
      return undefined;
    }
    return this.write(Buffer.from(s, "latin1"));
  }

  /** Ends the current entry: its CRC and sizes go into the data descriptor. */
  async end(): Promise<void> {
    const e = this.current;
    if (!e) throw new Error("no zip entry to end");
    this.crc.fold(this.out);
    this.crc.from = 0;
    e.crc = this.crc.value >>> 0;
    e.size = this.out.position - this.dataStart;
    const zip64 = e.size >= MAGIC32;
    const dd = Buffer.alloc(zip64 ? 24 : 16);
    dd.writeUInt32LE(SIG_DD, 0);
    dd.writeUInt32LE(e.crc, 4);
    if (zip64) { u64(dd, 8, e.size); u64(dd, 16, e.size); } else { dd.writeUInt32LE(e.size, 8); dd.writeUInt32LE(e.size, 12); }
    this.current = null;
    this.entries.push(e);
    const p = gather(this.out, dd, null);
    if (p) await p;
  }

  /** Writes the central directory and the end records, then closes the file. */
  async finish(): Promise<void> {
    if (this.current) throw new Error("end() the last zip entry first");
    const cdOffset = this.out.position;
    const parts: Buffer[] = [];
    for (const e of this.entries) {
      const zip64 = e.size >= MAGIC32 || e.offset >= MAGIC32;
      const extra = zip64 ? Buffer.alloc(28) : Buffer.alloc(0);
      if (zip64) { extra.writeUInt16LE(0x0001, 0); extra.writeUInt16LE(24, 2); u64(extra, 4, e.size); u64(extra, 12, e.size); u64(extra, 20, e.offset); }
      const h = Buffer.alloc(46);
      h.writeUInt32LE(SIG_CFH, 0);
      h.writeUInt16LE((PLATFORM_UNIX << 8) | VERSION_ZIP64, 4);
      h.writeUInt16LE(zip64 ? VERSION_ZIP64 : VERSION_DD, 6);
      h.writeUInt16LE(FLAG_DATA_DESCRIPTOR | (e.utf8 ? FLAG_UTF8 : 0), 8);
      h.writeUInt16LE(0, 10);
      h.writeUInt32LE(e.time, 12);
      h.writeUInt32LE(e.crc, 16);
      h.writeUInt32LE(zip64 ? MAGIC32 : e.size, 20);
      h.writeUInt32LE(zip64 ? MAGIC32 : e.size, 24);
      h.writeUInt16LE(e.name.length, 28);
      h.writeUInt16LE(extra.length, 30);
      h.writeUInt16LE(0, 32); // comment
      h.writeUInt16LE(0, 34); // disk
      h.writeUInt16LE(0, 36); // internal attributes
      h.writeUInt32LE(((S_IFREG | e.mode) << 16) >>> 0, 38);
      h.writeUInt32LE(zip64 ? MAGIC32 : e.offset, 42);
      parts.push(h, e.name, extra);
    }
    const cdLength = parts.reduce((n, b) => n + b.length, 0);
    if (cdOffset + cdLength >= MAGIC32 || cdOffset >= MAGIC32) {
      const z = Buffer.alloc(56 + 20);
      z.writeUInt32LE(SIG_ZIP64_EOCD, 0);
      u64(z, 4, 44);
      z.writeUInt16LE(VERSION_ZIP64, 12);
      z.writeUInt16LE(VERSION_ZIP64, 14);
      u64(z, 24, this.entries.length);
      u64(z, 32, this.entries.length);
      u64(z, 40, cdLength);
      u64(z, 48, cdOffset);
      z.writeUInt32LE(SIG_ZIP64_LOC, 56);
      u64(z, 64, cdOffset + cdLength);
      z.writeUInt32LE(1, 72);
      parts.push(z);
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(SIG_EOCD, 0);
    end.writeUInt16LE(Math.min(this.entries.length, 0xffff), 8);
    end.writeUInt16LE(Math.min(this.entries.length, 0xffff), 10);
    end.writeUInt32LE(Math.min(cdLength, MAGIC32), 12);
    end.writeUInt32LE(Math.min(cdOffset, MAGIC32), 16);
    parts.push(end);
    for (const b of parts) { const p = gather(this.out, b, null); if (p) await p; }
    await this.out.drain();
    await this.fh.close();
  }

  /** Closes the file after a failure (the caller removes it). */
  async abort(): Promise<void> {
    await this.out.drain().catch(() => undefined);
    await this.fh.close().catch(() => undefined);
  }
}
