import { showControls } from "../lib/text.js";

/** Where a command writes, and what it knows of its terminal: real streams, or captured in tests. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (on: boolean) => unknown };
  env: NodeJS.ProcessEnv;
  /** Prints a line to stdout. */
  out(line: string): void;
  /** Prints a line to stderr. */
  err(line: string): void;
}

/** The process's own streams. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    out: (line) => { process.stdout.write(`${line}\n`); },
    err: (line) => { process.stderr.write(`${line}\n`); },
  };
}

/**
 * The same streams, with every line printed by `err` showing its control characters as marks
 * (showControls; line breaks stay): a message may quote the evidence (a SessionID, a header field,
 * a file name), which must never reach the terminal as an escape sequence.
 */
export function withVisibleControls(io: CliIo): CliIo {
  return { ...io, err: (line) => { io.err(line.split("\n").map(showControls).join("\n")); } };
}
