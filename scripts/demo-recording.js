// npm run demo, recording part: records real SSH sessions through `ssh-log proxy` in front of a
// throwaway local sshd when one can be started as this user; otherwise records scripted sessions
// with the recorder library. Either way it says which, then decrypts what it recorded.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { userInfo } from "node:os";
import { isAbsolute, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

// SSH_LOG_DEMO_SSHD points at another sshd (or at nothing, to see the scripted fallback).
const SSHD = process.env.SSH_LOG_DEMO_SSHD ?? "/usr/sbin/sshd";

const sshKey = (path, comment) => {
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path], { stdio: "ignore" });
  return path;
};

const freePort = () => new Promise((resolve, reject) => {
  const s = createServer();
  s.once("error", reject);
  s.listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

/** Waits until `text()` matches `re`, or `ms` pass; returns the match or null. */
async function waitFor(text, re, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const m = re.exec(text());
    if (m) return m;
    await new Promise((r) => setTimeout(r, 50));
  }
  return null;
}

/** Starts sshd on a random loopback port with its own config in `dir`; null when it cannot run here. */
async function startSshd(dir) {
  if (!existsSync(SSHD)) return { sshd: null, why: `${SSHD} is not installed` };
  for (const tool of ["ssh", "scp", "ssh-keygen", "script"]) {
    try { execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" }); } catch { return { sshd: null, why: `${tool} is not installed` }; }
  }
  const host = sshKey(join(dir, "server_host_ed25519"), "demo-server");
  const authorized = join(dir, "server_authorized_keys");
  writeFileSync(authorized, "");
  if (process.getuid?.() === 0) mkdirSync("/run/sshd", { recursive: true });
  const port = await freePort();
  const config = join(dir, "sshd_config");
  writeFileSync(config, [`Port ${port}`, "ListenAddress 127.0.0.1", `HostKey ${host}`, `AuthorizedKeysFile ${authorized}`,
    `PidFile ${join(dir, "sshd.pid")}`, "UsePAM no", "StrictModes no", "PermitRootLogin prohibit-password",
    "PasswordAuthentication no", "KbdInteractiveAuthentication no", "Subsystem sftp /usr/lib/openssh/sftp-server", ""].join("\n"));
  const child = spawn(SSHD, ["-D", "-e", "-f", config], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr.on("data", (d) => { log += d; });
  child.on("error", (e) => { log += e.message; });
  const up = await waitFor(() => log, /Server listening on 127\.0\.0\.1 port \d+/, 5000);
  if (!up) {
    child.kill("SIGKILL");
    return { sshd: null, why: `sshd could not be started as ${userInfo().username} (${log.trim().split("\n")[0] || "no output"})` };
  }
  return { sshd: { port, child, authorized, hostPub: `${host}.pub` }, why: "" };
}

function runClient(cmd, args, input, slowly) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => { out += d; });
    child.stderr.on("data", (d) => { err += d; });
    const t = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("close", (code) => { clearTimeout(t); resolve({ code, out, err }); });
    child.stdin.on("error", () => {});
    if (!slowly) { child.stdin.end(input ?? ""); return; }
    // Type like a person: one line at a time, with pauses the recording's timing will show.
    (async () => {
      for (const l of input) { await new Promise((r) => setTimeout(r, 400)); child.stdin.write(l); }
      child.stdin.end();
    })();
  });
}

/**
 * Records sessions (through the proxy, or with the recorder library), then decrypts them with
 * `step` (the demo's CLI runner). `out` is demo-out/; `recipient` the .pub the recordings use.
 */
export async function demoRecording({ out, step, recipient, privateKey }) {
  const dir = join(out, "proxy");
  mkdirSync(dir, { recursive: true });
  const { sshd, why } = await startSshd(dir);
  const recordings = join(out, "recorded");
  if (sshd) {
    await throughProxy({ dir, sshd, recordings, recipient });
  } else {
    console.log(`\n# Recording: no usable sshd here (${why}), so the recorder library records two scripted sessions instead.`);
    await scripted({ recordings, recipient });
  }
  const files = [];
  const walk = (d) => { for (const e of readdirSync(d, { withFileTypes: true })) e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith(".log") && files.push(join(d, e.name)); };
  walk(recordings);
  files.sort();
  // The interactive shell's header shows the most (its terminal's size and modes); the proxy's
  // index says which file it is (file names are random), and the scripted recorder has no index.
  const index = join(recordings, "index.ndjson");
  const shell = existsSync(index) ? readFileSync(index, "utf8").trim().split("\n").map((l) => JSON.parse(l)).find((r) => r.ProgramType === "shell")?.LogFile : undefined;
  const shown = shell ? join(recordings, shell) : files[0];
  if (shown) await step("the recording's cleartext header (no key needed)", ["inspect", relative(out, shown)]);
  for (const f of files) await step("decrypt what was just recorded", ["decrypt", "-i", privateKey, "-l", relative(out, f)]);
}

async function throughProxy({ dir, sshd, recordings, recipient }) {
  const user = userInfo().username;
  console.log(`\n# Recording: a local sshd runs on 127.0.0.1:${sshd.port} as ${user}; real ssh and scp sessions go through ssh-log proxy in front of it.`);
  const proxyHost = sshKey(join(dir, "proxy_host_ed25519"), "proxy-host");
  const proxyId = sshKey(join(dir, "proxy_id_ed25519"), "ssh-log-proxy");
  writeFileSync(sshd.authorized, readFileSync(`${proxyId}.pub`));
  const userKey = sshKey(join(dir, "alice_ed25519"), "alice@laptop");
  writeFileSync(join(dir, "users.pub"), readFileSync(`${userKey}.pub`));
  const proxyPort = await freePort();
  const args = ["proxy", "--listen", `127.0.0.1:${proxyPort}`, "--upstream", `127.0.0.1:${sshd.port}`,
    "--host-key", proxyHost, "--authorized-keys", join(dir, "users.pub"), "--upstream-key", proxyId,
    "--upstream-host-key", sshd.hostPub, "--public-key", recipient, "--out", recordings];
  console.log(`\n$ ssh-log ${args.map((a) => (isAbsolute(a) ? relative(process.cwd(), a) : a)).join(" ")} &`);
  const proxy = spawn(process.execPath, [fileURLToPath(new URL("../bin/ssh-log.js", import.meta.url)), ...args], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  proxy.stderr.on("data", (d) => { log += d; });
  try {
    if (!(await waitFor(() => log, /listening on/, 10_000))) throw new Error(`the proxy did not start: ${log.trim()}`);
    const ssh = ["-F", "/dev/null", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-i", userKey];
    const target = `${user}@127.0.0.1`;
    const show = (what, r) => console.log(`  ${what} -> exit ${r.code}${r.out ? `, stdout ${JSON.stringify(r.out.length > 60 ? `${r.out.slice(0, 60)}...` : r.out)}` : ""}${r.err ? `, stderr ${JSON.stringify(r.err.trim())}` : ""}`);

    console.log(`\n$ ssh -p ${proxyPort} ${target} 'echo hello; echo err >&2; exit 3'`);
    show("exec", await runClient("ssh", [...ssh, "-p", String(proxyPort), target, "echo hello; echo err >&2; exit 3"]));
    console.log(`\n$ ssh -tt -p ${proxyPort} ${target}      # typing: uname -s; echo $((6*7)); exit`);
    // ssh under `script`, in a terminal of 80x24: the PTY the proxy records has a size and the
    // terminal's real modes, as when a person runs ssh (a bare -tt from a pipe sends 0x0).
    const quoted = ["ssh", "-tt", ...ssh, "-p", String(proxyPort), target].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
    show("interactive shell", await runClient("script", ["-qec", `stty rows 24 cols 80; exec ${quoted}`, "/dev/null"], ["uname -s\n", "echo $((6*7))\n", "exit\n"], true));
    const file = join(dir, "payload.bin");
    writeFileSync(file, randomBytes(1024 * 1024));
    const remote = join(dir, "payload-uploaded.bin");
    console.log(`\n$ scp -O -P ${proxyPort} payload.bin ${target}:${remote}     # 1 MiB, legacy scp (recorded as exec)`);
    show("scp upload", await runClient("scp", ["-O", ...ssh, "-P", String(proxyPort), file, `${target}:${remote}`]));
    console.log(`  the uploaded copy is ${readFileSync(remote).equals(readFileSync(file)) ? "identical" : "DIFFERENT"}`);
    console.log(`\n$ sftp -P ${proxyPort} ${target}      # refused: SFTP is not recorded`);
    show("sftp", await runClient("sftp", [...ssh, "-P", String(proxyPort), "-b", "-", target], "ls\n"));
  } finally {
    proxy.kill("SIGTERM");
    await new Promise((r) => proxy.once("close", r));
    sshd.child.kill("SIGTERM");
  }
  console.log("\n# The proxy's log (stderr):");
  for (const l of log.trim().split("\n")) console.log(`  ${l}`);
  console.log(`\n# ${join(recordings, "index.ndjson")}: one line per recorded program, shaped like Logpush ssh_logs rows:`);
  for (const l of readFileSync(join(recordings, "index.ndjson"), "utf8").trim().split("\n")) {
    const r = JSON.parse(l);
    console.log(`  ${r.ProgramID} ${r.ProgramType} ${r.Command === null ? "(shell)" : JSON.stringify(r.Command)} user=${r.Username} key=${r.UserKeyComment} exit=${r.ExitStatus ?? r.ExitSignal} ${r.LogFile} (${r.LogBytes} bytes)`);
  }
}

async function scripted({ recordings, recipient }) {
  const { createRecorder } = await import("../dist/lib/session/recorder.js");
  mkdirSync(recordings, { recursive: true });
  const publicKey = readFileSync(recipient, "utf8");
  const start = Date.now();
  let now = start;
  const clock = () => now;
  const shell = await createRecorder({ publicKey, path: join(recordings, "scripted-shell.log"), startedAt: new Date(start), clock,
    pty: { term: "xterm-256color", width: 100, height: 30, modes: [["ECHO", 1], ["ICANON", 1]] } });
  shell.write("server", Buffer.from("alice@web-01:~$ "));
  for (const ch of "uname -s\r") { now += 180; shell.write("client", Buffer.from(ch)); shell.write("server", Buffer.from(ch === "\r" ? "\r\n" : ch)); }
  now += 30;
  shell.write("server", Buffer.from("Linux\r\nalice@web-01:~$ "));
  for (const ch of "exit\r") { now += 200; shell.write("client", Buffer.from(ch)); shell.write("server", Buffer.from(ch === "\r" ? "\r\n" : ch)); }
  now += 20;
  shell.write("server", Buffer.from("logout\r\n"));
  await shell.close({ status: 0, at: new Date(now) });
  console.log(`  recorded ${join("recorded", "scripted-shell.log")}: a PTY shell, keystrokes as client data, output as server data, exit 0`);

  const exec = await createRecorder({ publicKey, path: join(recordings, "scripted-exec.log"), pty: null, command: "echo hello; echo err >&2; exit 3", startedAt: new Date(start), clock });
  exec.write("server", Buffer.from("hello\n"));
  exec.write("server", Buffer.from("err\n"), { stderr: true });
  await exec.close({ status: 3 });
  console.log(`  recorded ${join("recorded", "scripted-exec.log")}: an exec with stdout, stderr (code 1) and exit 3`);
}
