import { open, stat } from "node:fs/promises";
import { fsError } from "../errors.js";

/** Default read size: large reads keep per-call overhead negligible next to the crypto. */
export const DEFAULT_CHUNK_BYTES = 1 << 20;

/**
 * Reads a file in chunks of `chunkBytes`, reusing one buffer: each chunk is valid only until the
 * consumer asks for the next one. Errors become SshLogErrors naming the file and its `role`.
 *
 * @example for await (const chunk of readChunks("s.log", "capture")) framer.push(chunk, emit);
 */
export async function* readChunks(path: string, role: string, chunkBytes = DEFAULT_CHUNK_BYTES): AsyncIterable<Uint8Array> {
  let fh;
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
    fh = await open(path, "r");
  } catch (err) {
    throw fsError(err, path, role);
  }
  try {
    const buf = Buffer.allocUnsafe(chunkBytes);
    for (;;) {
      let n: number;
      try {
        ({ bytesRead: n } = await fh.read(buf, 0, chunkBytes, null));
      } catch (err) {
        throw fsError(err, path, role);
      }
      if (n === 0) return;
      yield buf.subarray(0, n);
    }
  } finally {
    await fh.close();
  }
}
