import { mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import type { AcceptConnection, Client, ClientChannel, PseudoTtyInfo, ServerChannel, Session } from "ssh2";
import type { Pty } from "../format/header.js";
import { createRecorder, type Recorder, type RecorderExit, type RecorderOptions } from "../session/recorder.js";
import { type ProgramIndex, type ProgramIndexRow, rfc3339 } from "./program-index.js";
import { decodeTerminalModes, takeRawPtyModes } from "./pty-modes.js";

/** What every program of one proxied SSH connection shares. */
export interface ConnectionState {
  sessionId: string;
  user: string;
  keyFingerprint: string;
  keyComment: string;
  clientAddress: string;
  serverAddress: string;
  startedAt: Date;
  finishedAt: Date | null;
  upstream: Client;
  nextProgram: number;
  /** Programs still running, so a closing connection or proxy can end them. */
  programs: Set<ProgramHandle>;
}

/** What the whole proxy shares with each program. */
export interface ProxyShared {
  publicKey: Uint8Array;
  outDir: string;
  index: ProgramIndex;
  log: (line: string) => void;
  recorder: Pick<RecorderOptions, "flushIntervalMs" | "maxBlockBytes" | "fsync">;
}

/** A running program, as the connection sees it. */
export interface ProgramHandle {
  /** Ends the program now (connection lost, proxy stopping); resolves once its recording is closed. */
  abort(reason: string): Promise<void>;
}

const SFTP_REFUSAL = "ssh-log proxy: SFTP and other subsystems are refused here because they are not recorded; use scp -O (legacy scp) or ssh HOST 'cat > file' instead.\r\n";

/**
 * Serves one session channel of a proxied connection: collects pty-req and env, then on shell or
 * exec opens the same program upstream, forwards data both ways with backpressure, records it, and
 * passes window changes, signals, EOF, the exit status and close back in OpenSSH's order.
 * Subsystems (SFTP) and agent or X11 forwarding are refused: what is not recorded is not allowed.
 *
 * @example client.on("session", (accept) => serveSession(accept(), conn, shared));
 */
export function serveSession(session: Session, conn: ConnectionState, shared: ProxyShared): void {
  let pty: (PseudoTtyInfo & { term?: string }) | null = null;
  let rawModes: Buffer | null = null;
  const env: Record<string, string> = {};
  let started = false;
  let program: RunningProgram | null = null;
  const tag = conn.sessionId.slice(0, 8);

  session.on("pty", (accept, reject, info) => {
    rawModes = takeRawPtyModes();
    if (started || !info) { reject?.(); return; }
    pty = info as PseudoTtyInfo & { term?: string };
    accept?.();
  });
  session.on("env", (accept, reject, info) => {
    if (started) { reject?.(); return; }
    env[info.key] = info.val;
    accept?.();
  });
  session.on("window-change", (accept, _reject, info) => {
    if (program) program.resize(info.cols, info.rows, info.width, info.height);
    else if (pty) pty = { ...pty, cols: info.cols, rows: info.rows, width: info.width, height: info.height };
    accept?.();
  });
  session.on("signal", (accept, _reject, info) => {
    program?.signal(info.name);
    accept?.();
  });
  session.on("x11", (_accept, reject) => { shared.log(`${tag} refused X11 forwarding (not recorded)`); reject?.(); });
  session.on("auth-agent", (_accept, reject) => { shared.log(`${tag} refused agent forwarding (not recorded)`); reject?.(); });
  session.on("subsystem", (accept, reject, info) => {
    if (started) { reject?.(); return; }
    started = true;
    shared.log(`${tag} refused the ${info.name} subsystem for ${conn.user}: not recorded, so not allowed`);
    // Accepting and explaining on stderr shows the user a sentence instead of "subsystem request failed".
    const ch = accept();
    if (!ch) return;
    ch.on("error", () => undefined);
    ch.stderr.on("error", () => undefined);
    ch.stderr.write(SFTP_REFUSAL);
    ch.exit(1);
    ch.end();
  });
  session.on("shell", (accept, reject) => {
    if (started) { reject?.(); return; }
    started = true;
    void start("shell", null, accept);
  });
  session.on("exec", (accept, reject, info) => {
    if (started) { reject?.(); return; }
    started = true;
    void start("exec", info.command, accept);
  });

  async function start(type: "shell" | "exec", command: string | null, accept: AcceptConnection<ServerChannel>): Promise<void> {
    // Accept at once, before any await: ssh2 drops channel data that arrives before accept(), and
    // ssh sends stdin right after its request, so waiting (for the recording, for the upstream)
    // lost the first bytes a user piped or typed. Until the upstream is open the channel buffers
    // them, and its window holds the client back.
    const down = accept();
    if (!down) return;
    let downGone = false;
    down.once("close", () => { downGone = true; });
    down.on("error", (err: Error) => shared.log(`${tag} client channel error: ${err.message}`));
    down.stderr.on("error", (err: Error) => shared.log(`${tag} client channel error: ${err.message}`));
    const refuse = (why: string): void => {
      if (downGone) return;
      down.stderr.write(`ssh-log proxy: ${why}\r\n`);
      down.exit(255);
      down.end();
    };
    const n = conn.nextProgram++;
    const programId = `${tag}-${n}`;
    const startedAt = new Date();
    const day = rfc3339(startedAt).slice(0, 10).replaceAll("-", "");
    const logFile = join(day, `${conn.sessionId}-${n}.log`);
    const path = join(shared.outDir, logFile);
    const recordedPty: Pty | null = pty && {
      term: pty.term ?? null,
      width: pty.cols,
      height: pty.rows,
      modes: rawModes ? decodeTerminalModes(rawModes) : Object.entries(pty.modes ?? {}) as Array<[string, number]>,
    };
    const row: Omit<ProgramIndexRow, "ProgramFinishDatetime" | "Datetime" | "ExitStatus" | "ExitSignal" | "ExitCoreDumped" | "Error" | "LogBytes" | "SessionFinishDatetime"> = {
      SessionID: conn.sessionId, ProgramID: programId, ProgramType: type, Username: conn.user,
      ClientAddress: conn.clientAddress, ServerAddress: conn.serverAddress,
      SessionStartDatetime: rfc3339(conn.startedAt), ProgramStartDatetime: rfc3339(startedAt),
      PTY: recordedPty?.term ?? "", Command: command,
      UserKeyFingerprint: conn.keyFingerprint, UserKeyComment: conn.keyComment, LogFile: logFile,
    };
    let rec: Recorder;
    try {
      await mkdir(join(shared.outDir, day), { recursive: true });
      rec = await createRecorder({
        ...shared.recorder, publicKey: shared.publicKey, path, pty: recordedPty, startedAt, command,
        extra: { session_id: conn.sessionId, program_id: programId },
      });
    } catch (err) {
      // Not recorded, not allowed: the program does not start.
      shared.log(`${programId} refused the ${type} for ${conn.user}: the recording could not be created (${(err as Error).message})`);
      refuse(`the ${type} is refused because its recording could not be created; tell the administrator.`);
      return;
    }
    shared.log(`${programId} ${type}${command !== null ? ` ${JSON.stringify(command)}` : ""} for ${conn.user}${recordedPty ? ` with a ${recordedPty.width}x${recordedPty.height} ${recordedPty.term ?? ""} PTY` : ""}, recording to ${logFile}`);

    const finishRow = async (exit: RecorderExit | null, error: string): Promise<void> => {
      let size = 0;
      try { size = (await stat(path)).size; } catch { /* reported by the recorder already */ }
      const now = new Date();
      const r: ProgramIndexRow = {
        ...row, SessionFinishDatetime: conn.finishedAt ? rfc3339(conn.finishedAt) : null,
        ProgramFinishDatetime: rfc3339(now), Datetime: rfc3339(now),
        ExitStatus: exit?.status ?? null, ExitSignal: exit?.signal ?? null, ExitCoreDumped: exit?.coreDumped === true,
        Error: error, LogBytes: size,
      };
      try {
        await shared.index.append(r);
      } catch (e) {
        shared.log(`${programId} could not append to the index ${shared.index.path}: ${(e as Error).message}`);
      }
    };

    const ptyOpts = pty && { rows: pty.rows, cols: pty.cols, width: pty.width, height: pty.height, term: pty.term ?? "vt100", modes: (rawModes ?? pty.modes) as unknown as Record<string, number> };
    const onOpen = (err: Error | undefined, up: ClientChannel): void => {
      if (err) {
        const why = `the server refused to start the ${type}: ${err.message}`;
        shared.log(`${programId} ${why}`);
        refuse(why);
        void rec.close({ errorMessage: why }).catch(() => undefined).then(() => finishRow({ errorMessage: why }, why));
        return;
      }
      if (downGone) {
        const early = "the client closed the channel before the program started";
        up.close();
        void rec.close({ errorMessage: early }).catch(() => undefined).then(() => finishRow(null, early));
        return;
      }
      program = new RunningProgram(programId, up, down, rec, shared.log, finishRow, conn);
    };
    try {
      if (type === "shell") conn.upstream.shell(ptyOpts ?? false, { env }, onOpen);
      else conn.upstream.exec(command!, { env, ...(ptyOpts ? { pty: ptyOpts } : {}) }, onOpen);
    } catch (err) {
      onOpen(err as Error, undefined as unknown as ClientChannel);
    }
  }
}

/** What the user reads when the recording of their session fails and the session is ended. */
const RECORDING_FAILED_NOTICE = "\r\nssh-log proxy: the recording of this session failed, so the session is ended.\r\n";

/** One program's data path: downstream channel <-> upstream channel, every byte recorded. */
class RunningProgram implements ProgramHandle {
  private exit: RecorderExit | null = null;
  private finished: Promise<void> | null = null;
  private downClosed = false;
  private aborted = false;

  constructor(
    private readonly id: string,
    private readonly up: ClientChannel,
    private readonly down: ServerChannel,
    private readonly rec: Recorder,
    private readonly log: (line: string) => void,
    private readonly finishRow: (exit: RecorderExit | null, error: string) => Promise<void>,
    private readonly conn: ConnectionState,
  ) {
    conn.programs.add(this);
    rec.on("error", (err: Error) => {
      // Not recorded, not allowed: stop the program and tell the user why.
      this.log(`${id} recording failed, ending the program: ${err.message}`);
      if (!this.downClosed && down.stderr.writable) down.stderr.write(RECORDING_FAILED_NOTICE);
      void this.end(`the recording failed: ${err.message}`);
    });
    forward(up, down, (d) => rec.write("server", d), rec);
    forward(up.stderr, down.stderr, (d) => rec.write("server", d, { stderr: true }), rec);
    forward(down, up, (d) => rec.write("client", d), rec);
    up.on("exit", (code: number | null, signal?: string, coreDumped?: boolean, description?: string) => {
      this.exit = code !== null && code !== undefined
        ? { status: code }
        : { signal: (signal ?? "").replace(/^SIG/, "") || null, coreDumped: coreDumped === true, errorMessage: description ? description : null };
    });
    // The user's EOF (end of stdin) goes upstream; the channel stays open for the output.
    down.on("end", () => { if (up.writable) up.end(); });
    const upOut = ended(up);
    const upErr = ended(up.stderr);
    up.once("close", () => { void Promise.all([upOut, upErr]).then(() => this.finish("")); });
    down.once("close", () => {
      this.downClosed = true;
      if (this.finished) return;
      // The user went away: close the upstream channel (sshd hangs up the program), then finish.
      up.close();
      const t = setTimeout(() => { void this.finish("the client closed the channel before the program exited"); }, 5000);
      up.once("close", () => clearTimeout(t));
    });
    up.on("error", (err: Error) => this.log(`${id} upstream channel error: ${err.message}`));
  }

  resize(cols: number, rows: number, width: number, height: number): void {
    this.up.setWindow(rows, cols, height, width);
    this.rec.resize(cols, rows);
  }

  signal(name: string): void {
    // ssh2 throws on names outside RFC 4254's list; a client must not be able to crash the proxy.
    try {
      this.up.signal(name);
    } catch {
      this.log(`${this.id} ignored the unknown signal ${JSON.stringify(name)} the client sent`);
    }
  }

  abort(reason: string): Promise<void> {
    return this.end(reason);
  }

  private end(reason: string): Promise<void> {
    // No waiting for the user to read what is left: the program is being cut off.
    this.aborted = true;
    this.up.close();
    if (!this.downClosed) this.down.close();
    return this.finish(reason);
  }

  /**
   * Ends the program for the user and closes its recording: the output first, then the recording's
   * last blocks and header, and only then the exit status. A recording that fails at its last
   * write ends the session with that failure, not with the program's clean exit (not recorded, not
   * allowed).
   */
  private finish(error: string): Promise<void> {
    this.finished ??= (async () => {
      const exit = this.exit;
      const userWaits = (): boolean => !this.downClosed && this.down.writable && !this.aborted;
      if (userWaits()) await Promise.all([drained(this.down), drained(this.down.stderr)]);
      let summary = "";
      let recorded = true;
      try {
        const s = await this.rec.close(exit ?? (error ? { errorMessage: error } : null));
        summary = `, ${s.dataSize} bytes in ${s.blocks} blocks`;
      } catch (err) {
        recorded = false;
        error ||= `the recording failed: ${(err as Error).message}`;
      }
      if (userWaits()) {
        if (!recorded) {
          this.down.stderr.write(RECORDING_FAILED_NOTICE);
          this.down.exit(255);
        } else if (exit) sendExit(this.down, exit);
        this.down.end();
      }
      const how = exit ? (exit.status !== undefined && exit.status !== null ? `exited with status ${exit.status}` : `was killed by signal ${exit.signal}`) : "ended without an exit status";
      this.log(`${this.id} ${how}${error ? ` (${error})` : ""}${summary}`);
      await this.finishRow(exit, error || (exit ? "" : "the program ended without an exit status"));
      this.conn.programs.delete(this);
    })();
    return this.finished;
  }
}

/** Sends exit-status or exit-signal; a signal name ssh2 cannot send becomes status 255, as ssh reports it. */
function sendExit(down: ServerChannel, exit: RecorderExit): void {
  try {
    if (exit.status !== undefined && exit.status !== null) down.exit(exit.status);
    else if (exit.signal) down.exit(exit.signal, exit.coreDumped === true, exit.errorMessage ?? "");
  } catch {
    down.exit(255);
  }
}

/** Copies src to dst and into the recording; pauses src while either is over its high-water mark. */
function forward(src: Readable, dst: Writable, record: (d: Buffer) => boolean, rec: Recorder): void {
  src.on("data", (chunk: Buffer) => {
    // Data can still arrive after the program ended and its recording closed (a user still
    // typing, stdin still streaming): nothing is forwarded to a finished program, nor recorded.
    if (rec.closed) return;
    // Not recorded, not allowed: once the recording has failed (a full disk), nothing more passes
    // while the program is being ended.
    if (rec.error) return;
    const recOk = record(chunk);
    if (rec.error) return;
    const dstOk = dst.writable && !dst.destroyed ? dst.write(chunk) : true;
    if (recOk && dstOk) return;
    src.pause();
    const waits: Array<Promise<void>> = [];
    if (!recOk && !rec.error) waits.push(new Promise((r) => rec.once("drain", r)));
    if (!dstOk) waits.push(drained(dst));
    void Promise.all(waits).then(() => { if (!src.destroyed) src.resume(); });
  });
}

/** Resolves once a writable has nothing buffered (or is closed). */
function drained(w: Writable): Promise<void> {
  if (w.writableLength === 0 || w.destroyed || w.writableFinished) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => { w.off("drain", done); w.off("close", done); resolve(); };
    w.on("drain", done);
    w.on("close", done);
  });
}

/** Resolves when a readable has ended (or closed without ending). */
function ended(r: Readable): Promise<void> {
  if (r.readableEnded) return Promise.resolve();
  return new Promise((resolve) => { r.once("end", resolve); r.once("close", resolve); });
}
