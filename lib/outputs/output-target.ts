import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { writeAtomically } from "./atomic-file.js";

/**
 * A text sink with back-pressure: `write` waits for 'drain' when the stream asks it to, so memory
 * stays bounded however large the output.
 *
 * @example const sink = new Sink(process.stdout); await sink.write("hello\n");
 */
export class Sink {
  bytes = 0;
  constructor(readonly stream: NodeJS.WritableStream) {}

  async write(data: string | Uint8Array): Promise<void> {
    this.bytes += typeof data === "string" ? Buffer.byteLength(data) : data.length;
    if (!this.stream.write(data)) await once(this.stream, "drain");
  }
}

/**
 * The reader of a pipe went away (`ssh-log export ... | head`): not a failure, the output simply
 * is not wanted any more. Commands stop quietly when they meet it.
 */
export class OutputClosedError extends Error {
  constructor(cause: unknown) {
    super("the output was closed by its reader", { cause });
    this.name = "OutputClosedError";
  }
}

/**
 * Runs `fn` while watching `stream` for its reader going away (EPIPE): then `fn`'s pending and later
 * writes fail with OutputClosedError instead of the process dying on an unhandled 'error' event.
 *
 * @example await watchPipe(process.stdout, () => writeAsciicast(session, new Sink(process.stdout)));
 */
export async function watchPipe<T>(stream: NodeJS.WritableStream, fn: () => Promise<T>): Promise<T> {
  let closed: unknown = null;
  let fail: (err: unknown) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => { fail = reject; });
  failed.catch(() => undefined);
  const onError = (err: NodeJS.ErrnoException): void => {
    if (err.code === "EPIPE" || err.code === "ERR_STREAM_DESTROYED") { closed = err; fail(new OutputClosedError(err)); }
    else fail(err);
  };
  stream.on("error", onError);
  try {
    return await Promise.race([fn(), failed]);
  } catch (err) {
    if (closed !== null) throw new OutputClosedError(closed);
    throw err;
  } finally {
    stream.off("error", onError);
    // A late EPIPE (data still queued) must not crash the process after we stopped listening.
    if (closed !== null) stream.on("error", () => undefined);
  }
}

/**
 * Runs `fn` with a sink on `path` (written to a temporary name and renamed, so a failure never
 * leaves a partial file), or on `stdout` when `path` is null or "-". A `path` that is `source`,
 * the file being read, is refused (writeAtomically).
 *
 * @example await writeTo("out.cast", process.stdout, (sink) => writeAsciicast(session, sink));
 */
export async function writeTo<T>(path: string | null, stdout: NodeJS.WritableStream, fn: (sink: Sink) => Promise<T>, opts: { source?: string } = {}): Promise<T> {
  if (path === null || path === "-") {
    const sink = new Sink(stdout);
    return watchPipe(stdout, () => fn(sink));
  }
  return writeAtomically(path, async (tmp) => {
    const ws = createWriteStream(tmp, { highWaterMark: 1 << 20 });
    const failed = new Promise<never>((_, reject) => ws.on("error", reject));
    try {
      const result = await Promise.race([fn(new Sink(ws)), failed]);
      ws.end();
      await Promise.race([once(ws, "close"), failed]);
      return result;
    } catch (err) {
      ws.destroy();
      throw err;
    }
  }, opts);
}
