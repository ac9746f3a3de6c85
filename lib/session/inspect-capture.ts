import { CaptureFramer, truncationError, type Truncation } from "../format/framing.js";
import { type CaptureHeader, parseHeader } from "../format/header.js";
import { DEFAULT_LIMITS } from "../format/limits.js";
import { SshLogError } from "../errors.js";
import { DEFAULT_CHUNK_BYTES, readChunks } from "./read-chunks.js";
import { otherKindError } from "./detect-input-kind.js";

/** What a capture's cleartext says about it, without a key. */
export interface CaptureInspection {
  path: string;
  fileBytes: number;
  headerBytes: number;
  header: CaptureHeader;
  blocks: { count: number; totalBytes: number; minBytes: number | null; maxBytes: number | null; meanBytes: number | null; firstSizes: number[] };
  /** Bytes after the header, as found. */
  streamBytes: number;
  /** data_size as declared (null or 0: not declared), and whether the stream agrees with it. */
  dataSizeAgrees: boolean | null;
  /** Where the file was cut inside a length prefix or a block, if it was. */
  truncation: (Truncation & { message: string }) | null;
  /** A length field out of bounds that stopped the scan, if any. */
  problem: { code: string; message: string } | null;
}

/**
 * Reads a capture's header and block framing (no key needed, nothing decrypted).
 *
 * @example const r = await inspectCapture("session.log"); r.blocks.count
 */
export async function inspectCapture(path: string): Promise<CaptureInspection> {
  const framer = new CaptureFramer(path, DEFAULT_LIMITS);
  let header: CaptureHeader | null = null;
  let headerBytes = 0;
  const sizes = { count: 0, totalBytes: 0, minBytes: null as number | null, maxBytes: null as number | null, firstSizes: [] as number[] };
  let problem: CaptureInspection["problem"] = null;
  let fileBytes = 0;
  for await (const chunk of readChunks(path, "capture", DEFAULT_CHUNK_BYTES)) {
    fileBytes += chunk.length;
    if (problem) continue;
    try {
      framer.push(chunk, (ev) => {
        if (ev.type === "header") {
          header = parseHeader(ev.bytes, path);
          headerBytes = ev.length;
          return;
        }
        const n = ev.data.length;
        sizes.count++;
        sizes.totalBytes += n;
        sizes.minBytes = sizes.minBytes === null ? n : Math.min(sizes.minBytes, n);
        sizes.maxBytes = sizes.maxBytes === null ? n : Math.max(sizes.maxBytes, n);
        if (sizes.firstSizes.length < 16) sizes.firstSizes.push(n);
      });
    } catch (err) {
      if (!(err instanceof SshLogError)) throw err;
      if (header === null) throw (await otherKindError(path)) ?? err; // a .cast or zip is no capture
      problem = { code: err.code, message: err.message };
    }
  }
  const cut = problem ? undefined : framer.end();
  if (header === null) throw (await otherKindError(path)) ?? truncationError(path, cut ?? { part: "header-length", offset: 0, missingBytes: 4 });
  const h: CaptureHeader = header;
  const streamBytes = fileBytes - headerBytes;
  return {
    path,
    fileBytes,
    headerBytes,
    header: h,
    blocks: { ...sizes, meanBytes: sizes.count ? Math.round(sizes.totalBytes / sizes.count) : null },
    streamBytes,
    dataSizeAgrees: h.dataSize ? h.dataSize === streamBytes : null,
    truncation: cut ? { ...cut, message: truncationError(path, cut, blocksBefore(cut.blockIndex ?? 0)).message } : null,
    problem,
  };
}

/** What inspect can say of the blocks before a cut one: it reads no data, decrypt would keep them. */
function blocksBefore(n: number): string {
  if (n === 0) return "no complete block comes before it";
  return n === 1 ? "the block before it is complete (decrypt keeps it)" : `the ${n} blocks before it are complete (decrypt keeps them)`;
}
