/**
 * `ssh-log view`: picks the source (the audit database, or recordings straight from files), takes
 * the terminal over (alternate screen, raw mode) and gives it back on every way out.
 */
import { open, stat } from "node:fs/promises";
import { render } from "ink";
import { ErrorCode, NotFoundError, SshLogError, fsError } from "../lib/errors.js";
import { readPrivateKeyFile } from "../lib/crypto/keys.js";
import { App } from "./App.js";
import { enterFullScreen } from "../lib/terminal/screen-mode.js";
import { loadReplay } from "./sources/load-replay.js";
import { openFileSource } from "./sources/open-file-source.js";
import type { SessionSource } from "./source.js";
import { themeFor } from "./theme.js";
import { DEFAULT_DB_PATH as DEFAULT_DATABASE } from "../lib/audit/defaults.js";


export interface ViewerOptions {
  /** A .duckdb audit database, a folder of recordings, or one recording; default ./ssh-audit.duckdb. */
  path: string | undefined;
  /** The private keys for encrypted captures (each recording opens with the one it was made for). */
  keyPaths: readonly string[];
  /** Filter text to start with. */
  filter?: string;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (on: boolean) => unknown };
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/** True when the file starts like a DuckDB database ("DUCK" at byte 8). */
async function isDuckDb(path: string): Promise<boolean> {
  if (path.toLowerCase().endsWith(".duckdb") || path.toLowerCase().endsWith(".db")) return true;
  const fh = await open(path, "r");
  try {
    const buf = Buffer.alloc(12);
    const { bytesRead } = await fh.read(buf, 0, 12, 0);
    return bytesRead === 12 && buf.toString("latin1", 8, 12) === "DUCK";
  } finally {
    await fh.close();
  }
}

/**
 * Opens the source a path names: the audit database for a .duckdb file, else recordings from files.
 *
 * @example const source = await openSource("recordings/", ["sshkey"]);
 */
export async function openSource(path: string | undefined, keyPaths: readonly string[], warn: (message: string) => void = () => {}): Promise<SessionSource> {
  // A wrong key file is one mistake, said once here, not once per recording in the list.
  for (const keyPath of keyPaths) (await readPrivateKeyFile(keyPath, warn)).fill(0);
  const target = path ?? DEFAULT_DATABASE;
  const s = await stat(target).catch((err: unknown) => {
    if (path === undefined && (err as NodeJS.ErrnoException).code === "ENOENT") {
      throw new NotFoundError(`There is no audit database ${DEFAULT_DATABASE} here; build it with ssh-log index, or view recordings straight from files with ssh-log view FOLDER -i KEY.`, { file: target });
    }
    throw fsError(err, target, "path to view");
  });
  if (s.isFile() && await isDuckDb(target)) {
    const { openAuditSource } = await import("./sources/audit-source.js");
    return openAuditSource(target, keyPaths);
  }
  return openFileSource(target, keyPaths);
}

/**
 * Runs the viewer until the user quits; returns the signal that ended it, if one did. Refuses
 * without a terminal (ERR_NO_TTY): scripts use query, report or export. Whatever happens, the
 * terminal is given back as it was.
 *
 * @example const { signal } = await runViewer({ path: "recordings/", keyPaths: ["sshkey"], ...processStreams });
 */
export async function runViewer(opts: ViewerOptions): Promise<{ signal: string | null }> {
  if (!opts.stdout.isTTY || !opts.stdin.isTTY) {
    throw new SshLogError(ErrorCode.NoTty, "ssh-log view needs an interactive terminal; in scripts and pipes use ssh-log query, report or export instead.");
  }
  // Before the screen is taken, so a warning about the key file stays readable.
  const source = await openSource(opts.path, opts.keyPaths, (m) => { opts.stderr.write(`ssh-log: ${m}\n`); });
  let signal: string | null = null;
  let instance: ReturnType<typeof render> | null = null;
  const restore = enterFullScreen(opts.stdout, opts.stdin, process, (sig) => {
    signal = sig;
    instance?.unmount();
  });
  // Libraries that log (the emulator reports odd escape sequences on console.error) would write
  // over the screen: while the UI owns the terminal, their console output is dropped.
  const saved = { log: console.log, warn: console.warn, error: console.error, info: console.info, debug: console.debug };
  const quiet = (): void => {};
  Object.assign(console, { log: quiet, warn: quiet, error: quiet, info: quiet, debug: quiet });
  // A failure outside React (a stray rejected promise) ends the UI, not the process: the screen is
  // given back first, then the error is reported like any other.
  let crash: unknown = null;
  const onCrash = (err: unknown): void => {
    crash ??= err;
    instance?.unmount();
  };
  process.on("uncaughtException", onCrash);
  process.on("unhandledRejection", onCrash);
  try {
    instance = render(<App source={source} loadReplay={loadReplay} theme={themeFor(opts.env)} initialFilter={opts.filter ?? ""} />, {
      stdout: opts.stdout as NodeJS.WriteStream,
      stdin: opts.stdin as NodeJS.ReadStream,
      stderr: opts.stderr as NodeJS.WriteStream,
      exitOnCtrlC: false,
      patchConsole: false,
    });
    await instance.waitUntilExit();
  } finally {
    process.off("uncaughtException", onCrash);
    process.off("unhandledRejection", onCrash);
    Object.assign(console, saved);
    restore();
    await source.close();
  }
  if (crash !== null) throw crash;
  return { signal };
}
