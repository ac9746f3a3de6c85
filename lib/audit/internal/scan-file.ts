import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";

/** What one pass over a file learns: its content hash, and for NDJSON its line counts. */
export interface FileScan {
  sha256: string;
  bytes: number;
  /** Lines in the (decompressed) text, a last line without a newline included. */
  lines: number;
  /** Lines with no characters at all (DuckDB reads them as NULL and they are left out). */
  emptyLines: number;
  /** Set when the gzip stream is damaged or cut: the file must not be ingested. */
  gzipError: string | null;
}

/** Counts lines and empty lines over text that arrives in pieces. */
class LineCounter {
  lines = 0;
  emptyLines = 0;
  private lastByte = 10;

  push(c: Buffer): void {
    let prev = this.lastByte === 10 ? -1 : -2;
    for (let i = c.indexOf(10); i !== -1; i = c.indexOf(10, i + 1)) {
      this.lines++;
      if (i === prev + 1) this.emptyLines++;
      prev = i;
    }
    if (c.length > 0) this.lastByte = c[c.length - 1]!;
  }

  /** The counts, a last line without a newline included. */
  end(): { lines: number; emptyLines: number } {
    return { lines: this.lines + (this.lastByte !== 10 ? 1 : 0), emptyLines: this.emptyLines };
  }
}

/**
 * Hashes a file and, for NDJSON, counts its lines; a gzip file is inflated whole so a damaged or
 * cut stream is caught here (DuckDB's reader stops quietly at such damage and would lose rows).
 * With `hash: false` the hash is left out (sha256 is ""): the check alone, for a file hashed already.
 *
 * @example const s = await scanFile("a.log.gz", { gzip: true, countLines: true });
 */
export function scanFile(path: string, opts: { gzip: boolean; countLines: boolean; hash?: boolean }): Promise<FileScan> {
  return new Promise((resolve, reject) => {
    const hash = opts.hash === false ? null : createHash("sha256");
    const counter = new LineCounter();
    let bytes = 0;
    let settled = false;
    const done = (gzipError: string | null): void => {
      if (settled) return;
      settled = true;
      resolve({ sha256: hash?.digest("hex") ?? "", bytes, ...counter.end(), gzipError });
    };
    const rs = createReadStream(path, { highWaterMark: 1 << 20 });
    rs.on("error", (err) => { if (!settled) { settled = true; reject(err); } });
    rs.on("data", (c) => { const b = c as Buffer; bytes += b.length; hash?.update(b); });
    if (opts.gzip) {
      const gz = createGunzip({ chunkSize: 1 << 20 });
      gz.on("data", (c: Buffer) => { if (opts.countLines) counter.push(c); });
      gz.on("error", (err) => { rs.destroy(); done(err.message); });
      gz.on("end", () => done(null));
      rs.pipe(gz);
    } else {
      if (opts.countLines) rs.on("data", (c) => counter.push(c as Buffer));
      rs.on("end", () => done(null));
    }
  });
}

/**
 * `scanFile` without gzip over a file already read whole: its hash and, with `countLines`, its
 * lines. A gzip file's lines are counted when its check inflates it.
 *
 * @example const s = scanBuffer(readFileSync("a.log"), { countLines: true });
 */
export function scanBuffer(buf: Buffer, opts: { countLines: boolean }): FileScan {
  const counter = new LineCounter();
  if (opts.countLines) counter.push(buf);
  return { sha256: createHash("sha256").update(buf).digest("hex"), bytes: buf.length, ...counter.end(), gzipError: null };
}
