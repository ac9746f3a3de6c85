import { open, type FileHandle } from "node:fs/promises";
import { OutputError } from "../errors.js";

/**
 * One NDJSON line per recorded program, shaped like a Logpush `ssh_logs` row where a field
 * applies (same names, RFC 3339 times, ClientAddress without port, ServerAddress host:port),
 * plus the proxy's own fields: the user's key, the command, the exit, and the capture file.
 */
export interface ProgramIndexRow {
  SessionID: string;
  ProgramID: string;
  ProgramType: "shell" | "exec";
  Username: string;
  ClientAddress: string;
  ServerAddress: string;
  SessionStartDatetime: string;
  /** Null while the SSH connection was still open when the program ended (the usual case). */
  SessionFinishDatetime: string | null;
  ProgramStartDatetime: string;
  ProgramFinishDatetime: string;
  /** When the row was written. */
  Datetime: string;
  /** The PTY's TERM, "" without a PTY (as Logpush writes it). */
  PTY: string;
  /** The exec command; null for shells. */
  Command: string | null;
  UserKeyFingerprint: string;
  UserKeyComment: string;
  ExitStatus: number | null;
  ExitSignal: string | null;
  ExitCoreDumped: boolean;
  /** "" when the program ended normally (Logpush's convention); else what went wrong. */
  Error: string;
  /** The capture file, relative to the index's folder. */
  LogFile: string;
  /** The capture file's size. */
  LogBytes: number;
}

/**
 * RFC 3339 with second precision, as Logpush writes its Datetime fields.
 *
 * @example rfc3339(new Date(Date.UTC(2026, 9, 1, 1, 13, 58, 999)))  // "2026-10-01T01:13:58Z"
 */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * Appends index rows to an NDJSON file, one write per line, in order.
 *
 * @example const idx = await ProgramIndex.open("recordings/index.ndjson"); await idx.append(row);
 */
export class ProgramIndex {
  private chain: Promise<void> = Promise.resolve();
  private constructor(private readonly fh: FileHandle, readonly path: string) {}

  static async open(path: string): Promise<ProgramIndex> {
    try {
      return new ProgramIndex(await open(path, "a", 0o640), path);
    } catch (err) {
      throw new OutputError(`The index ${path} cannot be opened for appending (${(err as Error).message}); check the output folder.`, { file: path, cause: err });
    }
  }

  /** Appends one row; rows appear in the order append() was called. */
  append(row: ProgramIndexRow): Promise<void> {
    const line = Buffer.from(`${JSON.stringify(row)}\n`, "utf8");
    const next = this.chain.then(async () => { await this.fh.write(line); });
    this.chain = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.chain;
    await this.fh.close();
  }
}
