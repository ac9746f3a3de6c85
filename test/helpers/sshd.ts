import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import type { Writable } from "node:stream";

export const SSHD_BIN = "/usr/sbin/sshd";

/**
 * A throwaway OpenSSH server for tests: its own config, host key, authorized_keys and client key in
 * a temp folder, listening on a random loopback port, running as the current user (root in CI).
 *
 * @example
 *   const sshd = await startSshd();
 *   execFileSync("ssh", [...sshd.sshArgs(), "echo hi"]);
 *   await sshd.stop();
 */
export interface Sshd {
  readonly host: "127.0.0.1";
  readonly port: number;
  /** The unix user to log in as (the user running the tests). */
  readonly user: string;
  /** The temp folder holding everything; removed by stop(). */
  readonly dir: string;
  /** A client private key (ed25519, no passphrase) that the server accepts, and its .pub. */
  readonly clientKey: string;
  readonly clientPublicKey: string;
  /** The server's host public key file (OpenSSH .pub line), for pinning. */
  readonly hostPublicKey: string;
  /** Lets another public key (an OpenSSH .pub line) log in. */
  authorize(publicKeyLine: string): void;
  /** `ssh` arguments for a direct connection with the client key, non-interactive and without host key prompts. */
  sshArgs(opts?: { port?: number; key?: string }): string[];
  /** What sshd logged so far (stderr, -e). */
  log(): string;
  /** Whether the sshd process is still running. */
  readonly running: boolean;
  stop(): Promise<void>;
}

/** The non-interactive ssh client options every test uses: no config, no host key prompts, keys only. */
export function sshClientOptions(key: string, port: number): string[] {
  return ["-F", "/dev/null", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
    "-o", "LogLevel=ERROR", "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", "-i", key, "-p", String(port)];
}

/** Makes an ed25519 key pair with ssh-keygen; returns the private key path (the .pub is beside it). */
export function makeSshKey(path: string, comment = "ssh-log-test"): string {
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path], { stdio: "ignore" });
  return path;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts sshd in a temp folder. Fails (never skips) when OpenSSH is not installed: run
 * `node scripts/ensure-system-deps.js`. Retries a few ports if one is taken between probe and bind.
 */
export async function startSshd(opts: { startTimeoutMs?: number } = {}): Promise<Sshd> {
  if (!existsSync(SSHD_BIN)) throw new Error(`${SSHD_BIN} is missing; install openssh-server (node scripts/ensure-system-deps.js).`);
  const dir = mkdtempSync(join(tmpdir(), "ssh-log-sshd-"));
  try {
    return await startIn(dir, opts.startTimeoutMs ?? 10_000);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

async function startIn(dir: string, timeoutMs: number): Promise<Sshd> {
  const user = userInfo().username;
  const hostKey = makeSshKey(join(dir, "host_ed25519"), "sshd-host");
  const clientKey = makeSshKey(join(dir, "client_ed25519"), `${user}@ssh-log-test`);
  const authorizedKeys = join(dir, "authorized_keys");
  writeFileSync(authorizedKeys, readFileSync(`${clientKey}.pub`));
  chmodSync(authorizedKeys, 0o600);
  const home = join(dir, "home");
  mkdirSync(home, { recursive: true });
  // sshd's privilege separation folder; it refuses to start without it.
  if (process.getuid?.() === 0) mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });

  let lastError = "";
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const config = join(dir, "sshd_config");
    writeFileSync(config, [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      `PidFile ${join(dir, "sshd.pid")}`,
      "UsePAM no",
      "StrictModes no",
      "PermitRootLogin prohibit-password",
      "PubkeyAuthentication yes",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "AcceptEnv LANG LC_*",
      // Sessions get an empty HOME: bash started by sshd reads ~/.bashrc even for a plain exec,
      // and a machine's own (root's, here, runs `pyenv rehash`) then writes to the very streams
      // the tests compare, racing between concurrent sessions. The working folder is unchanged.
      `SetEnv HOME=${home}`,
      "Subsystem sftp /usr/lib/openssh/sftp-server",
      // Load tests open many connections at once.
      "MaxStartups 200:30:400",
      "MaxSessions 100",
      "LogLevel VERBOSE",
      "",
    ].join("\n"));
    const child = spawn(SSHD_BIN, ["-D", "-e", "-f", config], { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    child.stderr!.on("data", (d: Buffer) => { log += d.toString(); });
    const up = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      const check = (): void => {
        if (/Server listening on 127\.0\.0\.1 port \d+/.test(log)) { clearTimeout(t); resolve(true); }
      };
      child.stderr!.on("data", check);
      child.once("exit", () => { clearTimeout(t); resolve(false); });
      child.once("error", (e) => { lastError = e.message; clearTimeout(t); resolve(false); });
    });
    if (up) return makeHandle(dir, child, port, user, clientKey, hostKey, authorizedKeys, () => log);
    lastError = log.trim() || lastError;
    child.kill("SIGKILL");
    if (!/Address already in use|Cannot bind/.test(log)) break;
  }
  throw new Error(`sshd did not start: ${lastError || "no output"}`);
}

function makeHandle(dir: string, child: ChildProcess, port: number, user: string, clientKey: string, hostKey: string, authorizedKeys: string, log: () => string): Sshd {
  let running = true;
  const exited = new Promise<void>((resolve) => child.once("exit", () => { running = false; resolve(); }));
  return {
    host: "127.0.0.1",
    port,
    user,
    dir,
    clientKey,
    clientPublicKey: `${clientKey}.pub`,
    hostPublicKey: `${hostKey}.pub`,
    authorize: (line) => { appendFileSync(authorizedKeys, line.endsWith("\n") ? line : `${line}\n`); },
    sshArgs: (o = {}) => sshClientOptions(o.key ?? clientKey, o.port ?? port),
    log,
    get running() { return running; },
    async stop() {
      // The sessions sshd forked outlive the listener until their connections close, and a shell
      // that ends then writes its files (.bash_history on SIGHUP) into HOME. So stop() ends them
      // all and waits for every one before the folder goes.
      const sessions = child.pid === undefined ? [] : descendantsOf(child.pid);
      if (running) {
        child.kill("SIGTERM");
        const t = setTimeout(() => child.kill("SIGKILL"), 3000);
        await exited;
        clearTimeout(t);
      }
      signal(sessions, "SIGTERM");
      if (!(await allGone(sessions, 5000))) {
        signal(sessions, "SIGKILL");
        await allGone(sessions, 2000);
      }
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    },
  };
}

/** A process as /proc names it: its pid and start time, so that a reused pid is not mistaken for it. */
interface Proc { pid: number; start: string }

/** Every live descendant of `root` (from /proc), children before their own children. */
function descendantsOf(root: number): Proc[] {
  const children = new Map<number, Proc[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = statOf(Number(name));
    if (stat) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), { pid: Number(name), start: stat.start }]);
  }
  const found: Proc[] = [];
  for (let queue = [root]; queue.length > 0;) {
    const next = children.get(queue.shift()!) ?? [];
    found.push(...next);
    queue.push(...next.map((p) => p.pid));
  }
  return found;
}

/** A live process's parent and start time, or undefined when it is gone (or a zombie, which holds no files). */
function statOf(pid: number): { ppid: number; start: string } | undefined {
  let stat: string;
  try { stat = readFileSync(`/proc/${pid}/stat`, "utf8"); } catch { return undefined; }
  // "pid (comm) state ppid ... starttime(22nd)": comm may hold spaces and parentheses, so split after the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return fields[0] === "Z" ? undefined : { ppid: Number(fields[1]), start: fields[19]! };
}

const alive = (p: Proc): boolean => statOf(p.pid)?.start === p.start;

function signal(procs: Proc[], sig: NodeJS.Signals): void {
  for (const p of procs) {
    if (!alive(p)) continue;
    try { process.kill(p.pid, sig); } catch { /* already gone */ }
  }
}

async function allGone(procs: Proc[], timeoutMs: number): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; ;) {
    if (!procs.some(alive)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Feeds `data` to a client's stdin as a user's stream would arrive: `chunk` bytes every `everyMs`
 * ms, then end of input. A stdin that goes away (the client killed) is not an error. Returns a
 * function that stops the feed (call it when the client ends).
 *
 * @example const stop = paceInto(child.stdin, sent, 4096, 10); child.on("close", stop);
 */
export function paceInto(stdin: Writable, data: Buffer, chunk: number, everyMs: number): () => void {
  stdin.on("error", () => undefined);
  let off = 0;
  const timer = setInterval(() => {
    if (off >= data.length) { clearInterval(timer); stdin.end(); return; }
    stdin.write(data.subarray(off, off + chunk));
    off += chunk;
  }, everyMs);
  return () => clearInterval(timer);
}
