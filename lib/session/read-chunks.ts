import type { Stats } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { ErrorCode, UnreadableError, fsError } from "../errors.js";

/**
 * Reads at most the first `bytes` bytes of a file (to recognise it without reading it whole).
 * Errors become SshLogErrors naming the file and its `role`; a directory is refused as one, and so
 * is a pipe (a FIFO, `<(cat file)`) unless `once` says nothing else will read it (a key file):
 * what this reads of a pipe is gone, so the reader that reopens it would miss the start.
 *
 * @example const head = await readHead("x.log", 4096, "input");
 */
export async function readHead(path: string, bytes: number, role: string, opts: { once?: boolean } = {}): Promise<Buffer> {
  return (await readHeadAndSize(path, bytes, role, opts)).head;
}

/**
 * `readHead`, and the file's size from the same stat (0 for a file that reports none).
 *
 * @example const { head, size } = await readHeadAndSize("a.log.gz", 1 << 20, "input");
 */
export async function readHeadAndSize(path: string, bytes: number, role: string, opts: { once?: boolean } = {}): Promise<{ head: Buffer; size: number }> {
  const { fh, st } = await openForReading(path, role);
  try {
    if ((st.isFIFO() || st.isSocket()) && opts.once !== true) {
      throw new UnreadableError(ErrorCode.Unreadable, `The ${role} ${path} is a pipe, which ssh-log needs to read more than once; save it to a file and give that instead.`, { file: path });
    }
    // Sized to the file (a large head of a small file costs no large buffer); a file that
    // reports no size (a pipe, /proc) gets the whole allowance, read in order until it is full.
    const buf = Buffer.alloc(st.isFile() && st.size > 0 ? Math.min(bytes, st.size) : bytes);
    let n = 0;
    for (let got = -1; n < buf.length && got !== 0; n += got) {
      ({ bytesRead: got } = await fh.read(buf, n, buf.length - n, st.isFile() ? n : null));
    }
    return { head: buf.subarray(0, n), size: st.size };
  } catch (err) {
    throw fsError(err, path, role);
  } finally {
    await fh.close();
  }
}

/** Opens a file for reading and stats it, refusing a directory; errors name the file and its `role`. */
async function openForReading(path: string, role: string): Promise<{ fh: FileHandle; st: Stats }> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(path, "r");
    const st = await fh.stat();
    if (st.isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
    return { fh, st };
  } catch (err) {
    await fh?.close();
    throw fsError(err, path, role);
  }
}

/** Default read size: large reads keep per-call overhead negligible next to the crypto. */
export const DEFAULT_CHUNK_BYTES = 1 << 20;

/**
 * Reads a file in chunks of `chunkBytes`, alternating between two buffers: while the consumer
 * works on one chunk, the next is already being read into the other, so reading overlaps the
 * decryption. Each chunk is valid only until the consumer asks for the next one. Errors become
 * SshLogErrors naming the file and its `role`.
 *
 * @example for await (const chunk of readChunks("s.log", "capture")) framer.push(chunk, emit);
 */
export async function* readChunks(path: string, role: string, chunkBytes = DEFAULT_CHUNK_BYTES): AsyncIterable<Uint8Array> {
  const { fh } = await openForReading(path, role);
  const bufs = [Buffer.allocUnsafe(chunkBytes), Buffer.allocUnsafe(chunkBytes)] as const;
  const readInto = (buf: Buffer): Promise<number> => {
    const p = fh.read(buf, 0, chunkBytes, null).then((r) => r.bytesRead, (err: unknown) => { throw fsError(err, path, role); });
    p.catch(() => undefined); // awaited below; this only keeps an abandoned prefetch from being "unhandled"
    return p;
  };
  let cur = 0;
  let next: Promise<number> | null = readInto(bufs[0]);
  try {
    for (;;) {
      const n: number = await next!;
      next = null;
      if (n === 0) return;
      const buf = bufs[cur]!;
      cur ^= 1;
      // A short read means the end of a regular file: no prefetch past it.
      if (n === chunkBytes) next = readInto(bufs[cur]!);
      yield buf.subarray(0, n);
      if (next === null) next = readInto(bufs[cur]!);
    }
  } finally {
    if (next !== null) await next.catch(() => undefined);
    await fh.close();
  }
}
