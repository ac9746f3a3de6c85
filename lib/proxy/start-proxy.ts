import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type AddressInfo, connect } from "node:net";
import type { AuthContext, Client, Connection, ParsedKey, PublicKeyAuthContext, Server } from "ssh2";
import { readPublicKeyFile } from "../crypto/keys.js";
import { BadKeyError, ErrorCode, SshLogError, fsError } from "../errors.js";
import type { RecorderOptions } from "../session/recorder.js";
import { type AuthorizedKey, fingerprintOf, readAuthorizedKeys } from "./authorized-keys.js";
import { ProgramIndex } from "./program-index.js";
import { type ConnectionState, type ProxyShared, serveSession } from "./program.js";
import { installPtyModesCapture } from "./pty-modes.js";
import { makeOutputFolder } from "../outputs/atomic-file.js";

/** A host and port, as `--listen` and `--upstream` give them. */
export interface HostPort { host: string; port: number }

export interface ProxyOptions {
  /** Where users connect. Port 0 picks a free port (see RunningProxy.port). */
  listen: HostPort;
  /** The SSH server sessions are forwarded to. */
  upstream: HostPort;
  /** The proxy's own host private key file (OpenSSH format, no passphrase). */
  hostKeyPath: string;
  /** OpenSSH authorized_keys file of the users allowed in; `%u` is replaced by the login name. */
  authorizedKeysPath: string;
  /** The private key the proxy logs in to the upstream with, as the same user. */
  upstreamKeyPath: string;
  /** The upstream's host public key(s): a .pub file or ssh-keyscan output. Without it, the upstream is not authenticated. */
  upstreamHostKeyPath?: string;
  /** The recordings' public key (.pub written by ssh-log keygen). */
  publicKeyPath: string;
  /** Folder for the recordings (one subfolder per UTC day) and index.ndjson. Created if missing. */
  outDir: string;
  /** One line per connection event and error (the CLI prints them on stderr). */
  log?: (line: string) => void;
  /** Recorder settings for every program. */
  recorder?: Pick<RecorderOptions, "flushIntervalMs" | "maxBlockBytes" | "fsync">;
  /** ssh2's protocol trace for both sides (very verbose; for diagnosing a client or server that misbehaves). */
  trace?: (line: string) => void;
  /** How long to wait for the upstream's handshake and login. Default 20 s. */
  upstreamTimeoutMs?: number;
}

/** A listening proxy. */
export interface RunningProxy {
  readonly host: string;
  readonly port: number;
  readonly indexPath: string;
  /** The proxy's host key as users' ssh will show it (SHA256:...), to publish for their known_hosts. */
  readonly hostKeyFingerprint: string;
  /** Connections open now. */
  readonly connections: number;
  /** Stops listening, ends every session (their recordings close with an error message), closes the index. */
  close(): Promise<void>;
}

/**
 * Starts the recording SSH proxy: users log in with a key from the authorized_keys file; the
 * proxy logs in to the upstream as the same user with its own key, and records every shell and
 * exec (scp -O included) to its own capture, with an NDJSON index line per program.
 *
 * @example
 *   const p = await startProxy({ listen: { host: "127.0.0.1", port: 2222 }, upstream: { host: "10.0.0.5", port: 22 },
 *     hostKeyPath: "proxy_host_ed25519", authorizedKeysPath: "users.pub", upstreamKeyPath: "proxy_id_ed25519",
 *     publicKeyPath: "sshkey.pub", outDir: "recordings" });
 */
export async function startProxy(opts: ProxyOptions): Promise<RunningProxy> {
  const log = opts.log ?? ((line: string) => { process.stderr.write(`${line}\n`); });
  const ssh2mod = await import("ssh2");
  const ssh2 = ((ssh2mod as unknown as { default?: typeof ssh2mod }).default ?? ssh2mod);
  const parseKey = ssh2.utils.parseKey;

  const host = await readPrivateSshKey(opts.hostKeyPath, "host key", parseKey);
  const hostKey = host.bytes;
  const hostKeyFingerprint = fingerprintOf(host.key.getPublicSSH());
  const upstreamKey = (await readPrivateSshKey(opts.upstreamKeyPath, "upstream key", parseKey)).bytes;
  const publicKey = await readPublicKeyFile(opts.publicKeyPath);
  const pinned = opts.upstreamHostKeyPath ? await readHostKeys(opts.upstreamHostKeyPath) : null;
  if (!opts.authorizedKeysPath.includes("%u")) {
    const check = await readAuthorizedKeys(opts.authorizedKeysPath, "");
    for (const s of check.skipped) log(`ssh-log proxy: ${check.path} line ${s.line} is ignored: ${s.reason}`);
    if (check.keys.length === 0) log(`ssh-log proxy: ${check.path} holds no usable key yet; nobody can log in until one is added.`);
  }
  if (!pinned) log("ssh-log proxy: warning: the upstream's host key is not checked; pass --upstream-host-key with its .pub (or ssh-keyscan output) to refuse an impostor.");
  await makeOutputFolder(opts.outDir, "recordings folder", "choose another --out");
  const index = await ProgramIndex.open(join(opts.outDir, "index.ndjson"));
  if (!installPtyModesCapture()) log("ssh-log proxy: warning: this ssh2 version's internals differ; terminal modes are not forwarded (users get the server's defaults).");

  const shared: ProxyShared = { publicKey, outDir: opts.outDir, index, log, recorder: opts.recorder ?? {} };
  const serverAddress = `${opts.upstream.host}:${opts.upstream.port}`;
  const live = new Map<Connection, ConnectionState | null>();

  const server: Server = new ssh2.Server({ hostKeys: [hostKey], ident: "ssh-log-proxy", ...(opts.trace ? { debug: opts.trace } : {}) }, (client: Connection, info) => {
    const sessionId = randomUUID();
    const tag = sessionId.slice(0, 8);
    const clientAddress = info.ip;
    const startedAt = new Date();
    let state: ConnectionState | null = null;
    let upstream: Client | null = null;
    let authInFlight = false;
    let clientClosed = false;
    live.set(client, null);
    log(`${tag} connection from ${info.ip}:${info.port}`);

    client.on("error", (err: Error) => log(`${tag} client connection error: ${err.message}`));
    client.on("authentication", (ctx: AuthContext) => {
      if (ctx.method !== "publickey") { ctx.reject(["publickey"]); return; }
      if (state || authInFlight) { ctx.reject(["publickey"]); return; }
      void authenticate(ctx);
    });

    async function authenticate(ctx: PublicKeyAuthContext): Promise<void> {
      // The answer may come after the client left (awaits below): answering a gone client must not throw.
      const deny = (): void => { try { ctx.reject(["publickey"]); } catch { /* the client is gone */ } };
      const allow = (): void => { try { ctx.accept(); } catch { /* the client is gone */ } };
      let entry: AuthorizedKey | undefined;
      try {
        const { keys } = await readAuthorizedKeys(opts.authorizedKeysPath, ctx.username);
        entry = keys.find((k) => k.blob.equals(ctx.key.data));
      } catch (err) {
        log(`${tag} cannot read the authorized keys: ${(err as Error).message}`);
      }
      if (!entry) {
        log(`${tag} key ${fingerprintOf(ctx.key.data)} offered for ${ctx.username} is not authorized`);
        deny();
        return;
      }
      if (!ctx.signature) { allow(); return; } // "would this key do?": yes
      const parsed = parseKey(entry.blob);
      const key = Array.isArray(parsed) ? parsed[0] : parsed;
      if (key instanceof Error || !key || key.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) !== true) {
        log(`${tag} refused ${ctx.username}: the signature for key ${entry.fingerprint} does not verify`);
        deny();
        return;
      }
      authInFlight = true;
      // Log in upstream before accepting, so a user the server refuses is refused here too.
      const up = new ssh2.Client();
      const fail = (why: string): void => {
        if (!authInFlight) return;
        authInFlight = false;
        log(`${tag} upstream ${serverAddress} refused ${ctx.username} (${why}); refusing the login`);
        up.end();
        deny();
      };
      up.on("error", (err: Error) => {
        if (authInFlight) fail(err.message);
        else log(`${tag} upstream connection error: ${err.message}`);
      });
      up.on("ready", () => {
        if (!authInFlight || clientClosed) { up.end(); return; }
        authInFlight = false;
        upstream = up;
        state = {
          sessionId, user: ctx.username, keyFingerprint: entry!.fingerprint, keyComment: entry!.comment,
          clientAddress, serverAddress, startedAt, finishedAt: null, upstream: up, nextProgram: 0, programs: new Set(),
        };
        live.set(client, state);
        log(`${tag} ${ctx.username} logged in with ${entry!.fingerprint}${entry!.comment ? ` (${entry!.comment})` : ""}`);
        allow();
      });
      up.on("close", () => {
        if (authInFlight) { fail("the connection closed"); return; }
        if (state && !state.finishedAt) {
          log(`${tag} upstream ${serverAddress} closed the connection`);
          client.end();
        }
      });
      up.connect({
        host: opts.upstream.host, port: opts.upstream.port, username: ctx.username, privateKey: upstreamKey,
        readyTimeout: opts.upstreamTimeoutMs ?? 20_000, keepaliveInterval: 30_000, ...(opts.trace ? { debug: (l: string) => opts.trace!(`${tag} upstream ${l}`) } : {}),
        hostVerifier: (presented: Buffer) => {
          if (!pinned) return true;
          const ok = pinned.some((k) => k.equals(presented));
          if (!ok) log(`${tag} upstream ${serverAddress} presented host key ${fingerprintOf(presented)}, not the pinned one; refusing`);
          return ok;
        },
      });
    }

    client.on("ready", () => {
      client.on("session", (accept, reject) => {
        if (!state) { reject(); return; }
        serveSession(accept(), state, shared);
      });
      client.on("tcpip", (_accept, reject, info) => {
        log(`${tag} refused port forwarding to ${info.destIP}:${info.destPort} (not recorded)`);
        reject();
      });
      client.on("openssh.streamlocal", (_accept, reject) => { log(`${tag} refused unix socket forwarding (not recorded)`); reject(); });
      client.on("request", (_accept, reject, name) => {
        if (name === "tcpip-forward" || (name as string) === "streamlocal-forward@openssh.com") log(`${tag} refused remote forwarding (not recorded)`);
        reject?.();
      });
    });

    client.on("close", () => {
      const s = state;
      live.delete(client);
      // A login still in flight upstream must not revive this connection: its "ready" now ends it.
      clientClosed = true;
      authInFlight = false;
      if (s) {
        s.finishedAt = new Date();
        for (const p of s.programs) void p.abort("the client connection closed before the program exited");
        log(`${tag} ${s.user} disconnected after ${((s.finishedAt.getTime() - s.startedAt.getTime()) / 1000).toFixed(1)} s`);
      } else {
        log(`${tag} closed before logging in`);
      }
      upstream?.end();
    });
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", (err: NodeJS.ErrnoException) => {
        const why = err.code === "EADDRINUSE" ? "the port is in use" : err.code === "EACCES" ? "permission denied (ports below 1024 need privileges)" : err.message;
        reject(new SshLogError(ErrorCode.Usage, `The proxy cannot listen on ${opts.listen.host}:${opts.listen.port}: ${why}; choose another --listen address.`, { cause: err }));
      });
      server.listen(opts.listen.port, opts.listen.host, () => resolve());
    });
  } catch (err) {
    // A caller that tries another address must not be left with this attempt's index file open.
    await index.close().catch(() => undefined);
    throw err;
  }
  server.on("error", (err: Error) => log(`ssh-log proxy: listener error: ${err.message}`));
  // Not fatal (the server may come up later), but an operator should hear of it now, not at the first login.
  void probeTcp(opts.upstream, 3000).then((why) => {
    if (why) log(`ssh-log proxy: warning: the upstream ${serverAddress} is not reachable now (${why}); logins will fail until it is.`);
  });
  const addr = server.address() as AddressInfo;

  let closing: Promise<void> | null = null;
  return {
    host: addr.address,
    port: addr.port,
    indexPath: index.path,
    hostKeyFingerprint,
    get connections() { return live.size; },
    close() {
      closing ??= (async () => {
        // Programs first, so every recording closes and its index row is written before the index closes.
        const aborts: Array<Promise<void>> = [];
        for (const s of live.values()) for (const p of s?.programs ?? []) aborts.push(p.abort("the proxy was stopped"));
        await Promise.all(aborts);
        await new Promise<void>((resolve) => {
          // A peer that never answers our close must not hold the shutdown forever.
          const t = setTimeout(resolve, 5000);
          server.close(() => { clearTimeout(t); resolve(); });
          for (const c of live.keys()) c.end();
        });
        await index.close();
      })();
      return closing;
    },
  };
}

/** Resolves with why a TCP connection to `to` failed, or null when it opened. */
function probeTcp(to: HostPort, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const sock = connect({ host: to.host, port: to.port });
    const done = (why: string | null): void => { sock.destroy(); resolve(why); };
    sock.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs / 1000} s`));
    sock.once("connect", () => done(null));
    sock.once("error", (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
  });
}

type ParseKey = (data: Buffer | string, passphrase?: string) => ParsedKey | ParsedKey[] | Error;

/** An unencrypted OpenSSH private key file: its bytes (for ssh2) and the key parsed from them. */
async function readPrivateSshKey(path: string, role: string, parseKey: ParseKey): Promise<{ bytes: Buffer; key: ParsedKey }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw fsError(err, path, role);
  }
  const parsed = parseKey(bytes);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (key instanceof Error || !key || !key.isPrivateKey()) {
    const encrypted = key instanceof Error && /passphrase|encrypted/i.test(key.message);
    throw new BadKeyError(encrypted
      ? `The ${role} ${path} is protected by a passphrase; the proxy needs an unencrypted key (ssh-keygen -p -N "" -f ${path}).`
      : `The ${role} ${path} is not an OpenSSH private key; make one with ssh-keygen -t ed25519 -N "" -f ${path}.`, { file: path });
  }
  return { bytes, key };
}

/** Public key blobs from a .pub file, a known_hosts file or ssh-keyscan output. */
async function readHostKeys(path: string): Promise<Buffer[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw fsError(err, path, "upstream host key file");
  }
  const blobs: Buffer[] = [];
  for (const m of text.matchAll(/(?:^|\s)(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521))\s+(AAAA[A-Za-z0-9+/]+={0,2})/gm)) {
    blobs.push(Buffer.from(m[2]!, "base64"));
  }
  if (blobs.length === 0) throw new BadKeyError(`The upstream host key file ${path} holds no SSH public key; give the server's /etc/ssh/ssh_host_ed25519_key.pub or ssh-keyscan output.`, { file: path });
  return blobs;
}
