import type { Command } from "commander";
import type { CliIo } from "../io.js";
import { ExitCode } from "../handle-error.js";
import { setExitCode } from "./index.js";

interface ProxyFlags {
  listen: string;
  upstream: string;
  hostKey: string;
  authorizedKeys: string;
  upstreamKey: string;
  upstreamHostKey?: string;
  publicKey: string;
  out: string;
  flushInterval: string;
  fsync?: boolean;
  trace?: boolean;
}

/** `ssh-log proxy`: the reference recording SSH proxy, until Ctrl-C or SIGTERM. */
export function registerProxy(program: Command, io: CliIo): void {
  program
    .command("proxy")
    .description("run a recording SSH proxy: users log in with their keys, every shell and exec (scp -O too) is recorded to an encrypted capture")
    .option("--listen <host:port>", "where users connect", "127.0.0.1:2222")
    .requiredOption("--upstream <host:port>", "the SSH server sessions go to (port 22 if omitted)")
    .requiredOption("--host-key <file>", "the proxy's own host private key (ssh-keygen -t ed25519 -N \"\" -f FILE)")
    .requiredOption("--authorized-keys <file>", "OpenSSH authorized_keys of the users allowed in; %u in the path is the login name")
    .requiredOption("--upstream-key <file>", "the private key the proxy logs in upstream with (as the same user)")
    .option("--upstream-host-key <file>", "the upstream's host public key (.pub or ssh-keyscan output); refuses any other")
    .requiredOption("--public-key <file>", "the recordings' public key (.pub from ssh-log keygen)")
    .option("--out <dir>", "folder for the recordings (one subfolder per UTC day) and index.ndjson", "recordings")
    .option("--flush-interval <ms>", "seal and write buffered session data at least this often", "1000")
    .option("--fsync", "fsync every capture at each flush, not only when it closes")
    .option("--trace", "print ssh2's protocol trace of both sides on stderr (very verbose; for diagnosing a client or server)")
    .addHelpText("after", `
Refused, because they would not be recorded: SFTP and other subsystems, port and agent forwarding, X11.
Logs one line per connection, program and error on stderr. Exit codes: 0 stopped by SIGTERM;
130 stopped by Ctrl-C; 2 bad flags or the address is taken; 5 a key file is not a key; 6 a file is missing.`)
    .action(async (flags: ProxyFlags, cmd: Command) => {
      const { parseHostPort } = await import("../../lib/proxy/host-port.js");
      const { UsageError } = await import("../../lib/errors.js");
      const { MAX_FLUSH_INTERVAL_MS } = await import("../../lib/session/recorder.js");
      const flushIntervalMs = Number(flags.flushInterval);
      if (!(flushIntervalMs > 0 && flushIntervalMs <= MAX_FLUSH_INTERVAL_MS)) throw new UsageError(`--flush-interval ${flags.flushInterval} is not a number of milliseconds above 0 and at most ${MAX_FLUSH_INTERVAL_MS}.`);
      const { startProxy } = await import("../../lib/proxy/start-proxy.js");
      const proxy = await startProxy({
        listen: parseHostPort(flags.listen, "--listen"),
        upstream: parseHostPort(flags.upstream, "--upstream", 22),
        hostKeyPath: flags.hostKey,
        authorizedKeysPath: flags.authorizedKeys,
        upstreamKeyPath: flags.upstreamKey,
        ...(flags.upstreamHostKey ? { upstreamHostKeyPath: flags.upstreamHostKey } : {}),
        publicKeyPath: flags.publicKey,
        outDir: flags.out,
        recorder: { flushIntervalMs, fsync: flags.fsync === true },
        log: (line) => io.err(`${new Date().toISOString()} ${line}`),
        ...(flags.trace ? { trace: (line: string) => io.err(`${new Date().toISOString()} trace ${line}`) } : {}),
      });
      // Listening for Ctrl-C before saying to press it: a signal sent as soon as the line is read
      // would otherwise kill the process before the recordings are closed.
      const stopped = new Promise<NodeJS.Signals>((resolve) => {
        process.once("SIGINT", () => resolve("SIGINT"));
        process.once("SIGTERM", () => resolve("SIGTERM"));
      });
      io.err(`ssh-log proxy: listening on ${proxy.host}:${proxy.port}, forwarding to ${flags.upstream}, recording to ${flags.out} (index ${proxy.indexPath}); stop with Ctrl-C.`);
      io.err(`ssh-log proxy: its host key is ${proxy.hostKeyFingerprint}; users' ssh shows this the first time they connect.`);
      const signal = await stopped;
      io.err(`ssh-log proxy: ${signal} received; ending ${proxy.connections} open connection(s) and closing their recordings.`);
      await proxy.close();
      io.err("ssh-log proxy: stopped.");
      if (signal === "SIGINT") setExitCode(cmd, ExitCode.Interrupted);
    });
}
