/**
 * One error hierarchy with stable string codes. Tests assert `code`, never the wording; the CLI maps
 * codes to exit codes in one table (cli/handle-error.ts) and prints `message`, which is always one
 * plain sentence naming the file, what is wrong and what to do.
 *
 * @example
 *   throw new WrongKeyError("session.log was not encrypted for the key in sshkey; ...", { file: "session.log" });
 */

/** Every code this project throws, as a stable identifier. */
export const ErrorCode = {
  Usage: "ERR_USAGE",
  SwappedArguments: "ERR_SWAPPED_ARGUMENTS",
  NotFound: "ERR_NOT_FOUND",
  Unreadable: "ERR_UNREADABLE",
  IsDirectory: "ERR_IS_DIRECTORY",
  Output: "ERR_OUTPUT",
  OutputExists: "ERR_OUTPUT_EXISTS",
  EmptyFile: "ERR_EMPTY_FILE",
  BadHeader: "ERR_BAD_HEADER",
  BadKey: "ERR_BAD_KEY",
  WrongKey: "ERR_WRONG_KEY",
  BlockAuth: "ERR_BLOCK_AUTH",
  Truncated: "ERR_TRUNCATED",
  BadPacket: "ERR_BAD_PACKET",
  Limit: "ERR_LIMIT",
  BadInput: "ERR_BAD_INPUT",
  DatabaseLocked: "ERR_DATABASE_LOCKED",
  Database: "ERR_DATABASE",
  Upstream: "ERR_UPSTREAM",
  NoTty: "ERR_NO_TTY",
  MissingTool: "ERR_MISSING_TOOL",
  Internal: "ERR_INTERNAL",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ErrorDetails {
  /** The file the error is about, when there is one. */
  file?: string;
  /** Byte offset in `file` where the problem starts. */
  offset?: number;
  /** Index of the block that failed, for block-level errors. */
  blockIndex?: number;
  /** How many bytes were missing, for truncation. */
  missingBytes?: number;
  cause?: unknown;
}

/** Marks errors of this project, whichever copy of this module made them. */
const BRAND = Symbol.for("ssh-log.SshLogError");

/** Base of every error ssh-log throws on purpose. */
export class SshLogError extends Error {
  /**
   * `err instanceof SshLogError` also holds for an error made by another copy of this module: the
   * CLI runs from a bundle (dist/cli/bundle/), while `ssh-log view` loads the terminal UI, and the
   * lib modules it imports, from dist/ (Ink cannot be bundled as CommonJS). Subclasses keep the
   * plain prototype check.
   */
  static override [Symbol.hasInstance](x: unknown): boolean {
    if (this !== SshLogError) return Function.prototype[Symbol.hasInstance].call(this, x);
    return typeof x === "object" && x !== null && (x as { [BRAND]?: unknown })[BRAND] === true;
  }

  readonly code: ErrorCode;
  readonly file?: string;
  readonly offset?: number;
  readonly blockIndex?: number;
  readonly missingBytes?: number;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    Object.defineProperty(this, BRAND, { value: true });
    this.name = new.target.name;
    this.code = code;
    if (details.file !== undefined) this.file = details.file;
    if (details.offset !== undefined) this.offset = details.offset;
    if (details.blockIndex !== undefined) this.blockIndex = details.blockIndex;
    if (details.missingBytes !== undefined) this.missingBytes = details.missingBytes;
  }

  /** A plain object for `--json` output and logs. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { code: this.code, message: this.message };
    for (const k of ["file", "offset", "blockIndex", "missingBytes"] as const) {
      if (this[k] !== undefined) out[k] = this[k];
    }
    return out;
  }
}

/** Bad command-line use: a missing flag, an unknown value, an output name without .zip. */
export class UsageError extends SshLogError {
  constructor(message: string, details?: ErrorDetails) { super(ErrorCode.Usage, message, details); }
}
/** The key and the log were given the wrong way round. */
export class SwappedArgumentsError extends SshLogError {
  constructor(message: string, details?: ErrorDetails) { super(ErrorCode.SwappedArguments, message, details); }
}
/** An input path does not exist. */
export class NotFoundError extends SshLogError {
  constructor(message: string, details?: ErrorDetails) { super(ErrorCode.NotFound, message, details); }
}
/** An input path exists but cannot be read (permissions, or a directory where a file was expected). */
export class UnreadableError extends SshLogError {
  constructor(code: typeof ErrorCode.Unreadable | typeof ErrorCode.IsDirectory, message: string, details?: ErrorDetails) {
    super(code, message, details);
  }
}
/** The output cannot be written: folder missing, not writable, disk full. */
export class OutputError extends SshLogError {
  constructor(message: string, details?: ErrorDetails, code: typeof ErrorCode.Output | typeof ErrorCode.OutputExists = ErrorCode.Output) {
    super(code, message, details);
  }
}
/** A file is not a capture: empty, bad length, bad base64, bad JSON, missing fields. */
export class BadHeaderError extends SshLogError {
  constructor(message: string, details?: ErrorDetails, code: typeof ErrorCode.BadHeader | typeof ErrorCode.EmptyFile = ErrorCode.BadHeader) {
    super(code, message, details);
  }
}
/** A key file is not 32 bytes of base64, or is the wrong half of the pair. */
export class BadKeyError extends SshLogError {
  constructor(message: string, details?: ErrorDetails) { super(ErrorCode.BadKey, message, details); }
}
/** Block 0 did not open: the capture was encrypted for another key. */
export class WrongKeyError extends SshLogError {
  constructor(message: string, details?: ErrorDetails) { super(ErrorCode.WrongKey, message, details); }
}
/** A block after the first did not authenticate: the file was altered from that block on. */
export class BlockAuthError extends SshLogError {
  constructor(message: string, details?: ErrorDetails) { super(ErrorCode.BlockAuth, message, details); }
}
/** The file ends inside a header, a length prefix or a block. */
export class TruncatedError extends SshLogError {
  constructor(message: string, details?: ErrorDetails) { super(ErrorCode.Truncated, message, details); }
}
/** Decrypted data is not a valid packet stream (only possible with a forged key or a writer bug). */
export class BadPacketError extends SshLogError {
  constructor(message: string, details?: ErrorDetails) { super(ErrorCode.BadPacket, message, details); }
}
/** A length field asks for more than the documented limit; nothing that large is allocated. */
export class LimitError extends SshLogError {
  constructor(message: string, details?: ErrorDetails) { super(ErrorCode.Limit, message, details); }
}
/** Any other input that is not what it claims to be (a zip, a .cast file, a Logpush line). */
export class BadInputError extends SshLogError {
  constructor(message: string, details?: ErrorDetails) { super(ErrorCode.BadInput, message, details); }
}

/**
 * An error's sentence for a list line that names the file first ("x.log: ..."): a sentence that
 * begins with that same path does not say it twice ("x.log was not encrypted ..." reads "it was
 * not encrypted ...", "x.log: block 3 ..." reads "block 3 ...").
 *
 * @example `${path}: ${afterFileName(err.message, path)}`
 */
export function afterFileName(message: string, path: string): string {
  if (path === "" || !message.startsWith(path)) return message;
  const rest = message.slice(path.length);
  if (rest.startsWith(": ")) return rest.slice(2);
  return rest.startsWith(" ") ? `it${rest}` : message;
}

/** True for the codes that mean "some data authenticated, the rest did not": the partial outcome. */
export function isPartialCode(code: string): boolean {
  return code === ErrorCode.BlockAuth || code === ErrorCode.Truncated || code === ErrorCode.BadPacket;
}

/**
 * Wraps a Node file-system error for `path` in the matching SshLogError, with a sentence that says
 * what to do. `role` is how the sentence names the file ("capture", "key file", "output folder").
 */
export function fsError(err: unknown, path: string, role: string): SshLogError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT") {
    return new NotFoundError(`The ${role} ${path} does not exist; check the path.`, { file: path, cause: err });
  }
  if (code === "EISDIR") {
    return new UnreadableError(ErrorCode.IsDirectory, `The ${role} ${path} is a directory, not a file; give the path of a file.`, { file: path, cause: err });
  }
  if (code === "EACCES" || code === "EPERM") {
    return new UnreadableError(ErrorCode.Unreadable, `The ${role} ${path} cannot be read (permission denied); check its permissions.`, { file: path, cause: err });
  }
  if (code === "ENOSPC" || code === "EDQUOT") {
    return new OutputError(`The disk holding ${path} is full; free some space and run again.`, { file: path, cause: err });
  }
  if (code === "ENOTDIR" || code === "ELOOP" || code === "ENAMETOOLONG") {
    const what = code === "ENOTDIR" ? "cannot be reached: a part of its path is a file, not a folder"
      : code === "ELOOP" ? "cannot be reached: its symbolic links form a loop" : "has a name too long for the file system";
    return new UnreadableError(ErrorCode.Unreadable, `The ${role} ${path} ${what}; check the path.`, { file: path, cause: err });
  }
  if (err instanceof SshLogError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new SshLogError(ErrorCode.Unreadable, `The ${role} ${path} could not be read (${detail}).`, { file: path, cause: err });
}
