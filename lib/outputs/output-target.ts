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
 * Runs `fn` with a sink on `path` (written to a temporary name and renamed, so a failure never
 * leaves a partial file), or on `stdout` when `path` is null or "-".
 *
 * @example await writeTo("out.cast", process.stdout, (sink) => writeAsciicast(session, sink));
 */
export async function writeTo<T>(path: string | null, stdout: NodeJS.WritableStream, fn: (sink: Sink) => Promise<T>): Promise<T> {
  if (path === null || path === "-") {
    const sink = new Sink(stdout);
    return fn(sink);
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
  });
}
