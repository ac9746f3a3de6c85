import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openCapture } from "../../../lib/session/open-capture.js";
import { writeDecryptedZip } from "../../../lib/outputs/zip.js";
import { dataOf, readRecording } from "../../helpers/read-recording.js";
import { referenceMismatch } from "../../helpers/reference-decode.js";
import { readZip } from "../../helpers/read-zip.js";
import { type ProxyRig, runProgram, startRig, waitFor } from "./setup.js";

let rig: ProxyRig;
beforeAll(async () => { rig = await startRig(); });
afterAll(async () => { await rig?.stop(); });

/** The index row of the program whose command or type matches, once it is written. */
function rowFor(match: (r: ReturnType<ProxyRig["indexRows"]>[number]) => boolean) {
  return waitFor("the index row", () => rig.indexRows().find(match));
}

describe("ssh-log proxy with real OpenSSH", () => {
  it("exec: stdout, stderr and the exit code pass through and are recorded, with an index row", async () => {
    const cmd = "echo hello; echo err >&2; exit 3";
    const r = await runProgram("ssh", [...rig.sshArgs(), rig.target, cmd]);
    expect(r.stdout.toString()).toBe("hello\n");
    expect(r.stderr).toBe("err\n");
    expect(r.code).toBe(3);

    const row = await rowFor((x) => x.Command === cmd);
    expect(row).toMatchObject({
      ProgramType: "exec", Username: rig.sshd.user, ClientAddress: "127.0.0.1", ServerAddress: `127.0.0.1:${rig.sshd.port}`,
      PTY: "", ExitStatus: 3, ExitSignal: null, Error: "", UserKeyComment: "alice@laptop",
    });
    // Known only when the connection had closed by the time the program's row was written.
    expect(row.SessionFinishDatetime === null || /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(row.SessionFinishDatetime)).toBe(true);
    expect(row.UserKeyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(row.ProgramID).toBe(`${row.SessionID.slice(0, 8)}-0`);
    for (const k of ["SessionStartDatetime", "ProgramStartDatetime", "ProgramFinishDatetime", "Datetime"] as const) expect(row[k]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const path = join(rig.outDir, row.LogFile);
    expect(row.LogBytes).toBe(readFileSync(path).length);
    const rec = await readRecording(path, rig.privateKey);
    expect(rec.violations).toEqual([]);
    expect(await referenceMismatch(path, rig.privateKey, rec.packets)).toBeNull();
    expect(rec.header.pty).toBeNull();
    expect(rec.header.extra.command).toBe(cmd);
    expect(rec.header.exit).toMatchObject({ status: 3, signal: null });
    expect(dataOf(rec.packets, 1, 0).toString()).toBe("hello\n");
    expect(dataOf(rec.packets, 1, 1).toString()).toBe("err\n");
    expect(dataOf(rec.packets, 0).length).toBe(0);
    // And the ssh-log-cli layout.
    const zipPath = `${path}.zip`;
    await writeDecryptedZip(await openCapture(path, { privateKey: rig.privateKey, mode: "strict" }), zipPath);
    const zip = await readZip(zipPath);
    expect(zip.get("data_from_server.txt")!.data.toString().split("\n").sort()).toEqual(["", "err", "hello"]);
    expect(zip.get("data_from_client.txt")!.data.length).toBe(0);
  });

  it("exec: stdin is forwarded and recorded as client data, EOF reaches the program", async () => {
    const input = "line one\nline two\n";
    const r = await runProgram("ssh", [...rig.sshArgs(), rig.target, "wc -l; exit 0"], { input });
    expect(r.stdout.toString().trim()).toBe("2");
    expect(r.code).toBe(0);
    const row = await rowFor((x) => x.Command === "wc -l; exit 0");
    const rec = await readRecording(join(rig.outDir, row.LogFile), rig.privateKey);
    expect(dataOf(rec.packets, 0).toString()).toBe(input);
    expect(dataOf(rec.packets, 1).toString().trim()).toBe("2");
  });

  it("an interactive PTY shell: typed commands, output and the exit code are recorded", async () => {
    const { spawn } = await import("node:child_process");
    const child = spawn("ssh", ["-tt", ...rig.sshArgs(), rig.target], { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, TERM: "xterm-256color" } });
    let out = "";
    child.stdout.on("data", (d: Buffer) => { out += d.toString(); });
    const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
    const type = async (text: string, expectOut: RegExp): Promise<void> => {
      child.stdin.write(text);
      await waitFor(`output ${expectOut}`, () => (expectOut.test(out) ? true : undefined));
    };
    await type("echo typed-$((6*7))\n", /typed-42/);
    await type("printf 'tty:%s\\n' \"$(tty)\"\n", /tty:\/dev\/pts\//);
    child.stdin.write("exit 5\n");
    expect(await closed).toBe(5);

    const row = await rowFor((x) => x.ProgramType === "shell" && x.PTY === "xterm-256color" && x.ExitStatus === 5);
    expect(row.Command).toBeNull();
    const path = join(rig.outDir, row.LogFile);
    const rec = await readRecording(path, rig.privateKey);
    expect(rec.violations).toEqual([]);
    expect(await referenceMismatch(path, rig.privateKey, rec.packets)).toBeNull();
    expect(rec.header.pty?.term).toBe("xterm-256color");
    const typed = dataOf(rec.packets, 0).toString();
    expect(typed).toContain("echo typed-$((6*7))\n");
    expect(typed).toContain("exit 5\n");
    const shown = dataOf(rec.packets, 1).toString();
    expect(shown).toContain("typed-42");
    expect(shown).toMatch(/tty:\/dev\/pts\/\d+/);
    await writeDecryptedZip(await openCapture(path, { privateKey: rig.privateKey, mode: "strict" }), `${path}.zip`);
    const term = (await readZip(`${path}.zip`)).get("term_data.txt")!.data.toString();
    expect(term).toMatch(/^Session started on .* \[TERM="xterm-256color" COLUMNS="\d+" LINES="\d+"\]\n/);
    expect(term).toContain("typed-42");
    expect(term).toMatch(/\nScript done on .* \[COMMAND_EXIT_CODE="5"\]\n$/);
  });

  it("exec with a PTY (ssh -tt host cmd): the command runs on a terminal and the recording has both", async () => {
    const cmd = "tty; exit 2";
    const r = await runProgram("ssh", ["-tt", ...rig.sshArgs(), rig.target, cmd]);
    expect(r.stdout.toString()).toMatch(/^\/dev\/pts\/\d+\r\n$/);
    expect(r.code).toBe(2);
    const row = await rowFor((x) => x.Command === cmd);
    expect(row.ProgramType).toBe("exec");
    expect(row.PTY).not.toBe("");
    const rec = await readRecording(join(rig.outDir, row.LogFile), rig.privateKey);
    expect(rec.header.pty).not.toBeNull();
    expect(rec.header.extra.command).toBe(cmd);
    expect(rec.header.exit?.status).toBe(2);
  });

  it("scp -O carries a 10 MB file both ways byte for byte, and both transfers are recorded", async () => {
    const data = randomBytes(10 * 1024 * 1024);
    const src = join(rig.dir, "big.bin");
    const remote = join(rig.sshd.dir, "uploaded.bin");
    const back = join(rig.dir, "back.bin");
    writeFileSync(src, data);
    const scpArgs = rig.sshArgs().map((a) => (a === "-p" ? "-P" : a));
    const t0 = Date.now();
    const up = await runProgram("scp", ["-O", ...scpArgs, src, `${rig.target}:${remote}`], { timeoutMs: 120_000 });
    const upMs = Date.now() - t0;
    expect(up.stderr).toBe("");
    expect(up.code).toBe(0);
    expect(readFileSync(remote).equals(data)).toBe(true);
    const t1 = Date.now();
    const down = await runProgram("scp", ["-O", ...scpArgs, `${rig.target}:${remote}`, back], { timeoutMs: 120_000 });
    const downMs = Date.now() - t1;
    expect(down.code).toBe(0);
    expect(readFileSync(back).equals(data)).toBe(true);
    console.log(`scp -O 10 MiB through the proxy: upload ${upMs} ms, download ${downMs} ms`);

    const upRow = await rowFor((x) => x.Command === `scp -t ${remote}`);
    const upRec = await readRecording(join(rig.outDir, upRow.LogFile), rig.privateKey);
    expect(upRec.violations).toEqual([]);
    expect(await referenceMismatch(join(rig.outDir, upRow.LogFile), rig.privateKey, upRec.packets)).toBeNull();
    expect(upRow.ExitStatus).toBe(0);
    // Client data is scp's protocol: "C0644 <size> <name>\n", the bytes, a zero byte.
    const sent = dataOf(upRec.packets, 0);
    expect(sent.subarray(0, 30).toString()).toMatch(/^C0\d{3} 10485760 big\.bin\n/);
    expect(sent.indexOf(data.subarray(0, 4096))).toBeGreaterThan(0);
    const at = sent.indexOf("\n") + 1;
    expect(sent.subarray(at, at + data.length).equals(data)).toBe(true);
    expect(Math.max(...upRec.blockSizes)).toBeLessThanOrEqual(64 * 1024);

    const downRow = await rowFor((x) => x.Command === `scp -f ${remote}`);
    const downRec = await readRecording(join(rig.outDir, downRow.LogFile), rig.privateKey);
    expect(downRec.violations).toEqual([]);
    expect(await referenceMismatch(join(rig.outDir, downRow.LogFile), rig.privateKey, downRec.packets)).toBeNull();
    const received = dataOf(downRec.packets, 1);
    const at2 = received.indexOf("\n") + 1;
    expect(received.subarray(at2, at2 + data.length).equals(data)).toBe(true);
  }, 180_000);

  it("a program killed by a signal: exit-signal reaches the client as over a direct connection, and is recorded", async () => {
    const cmd = "echo before; kill -TERM $$; echo after";
    const direct = await runProgram("ssh", [...rig.sshd.sshArgs(), rig.target, cmd]);
    const r = await runProgram("ssh", [...rig.sshArgs(), rig.target, cmd]);
    expect(r.stdout.toString()).toBe("before\n");
    expect(r.code).toBe(direct.code);
    const row = await rowFor((x) => x.Command === cmd);
    expect(row).toMatchObject({ ExitStatus: null, ExitSignal: "TERM", Error: "" });
    const rec = await readRecording(join(rig.outDir, row.LogFile), rig.privateKey);
    expect(rec.header.exit).toMatchObject({ status: null, signal: "TERM", coreDumped: false });
  });

  it("a client still streaming stdin after the program exited gets the exit code, and the proxy carries on", async () => {
    const cmd = "head -c 1000 >/dev/null; sleep 0.3; exit 6";
    const { spawn } = await import("node:child_process");
    const child = spawn("sh", ["-c", `head -c 50000000 /dev/zero | ssh ${rig.sshArgs().map((a) => `'${a}'`).join(" ")} ${rig.target} '${cmd}'`]);
    expect(await new Promise((resolve) => child.on("close", resolve))).toBe(6);
    const row = await rowFor((x) => x.Command === cmd);
    expect(row.ExitStatus).toBe(6);
    const rec = await readRecording(join(rig.outDir, row.LogFile), rig.privateKey);
    expect(rec.violations).toEqual([]);
    expect(dataOf(rec.packets, 0).length).toBeGreaterThanOrEqual(1000);
    const after = await runProgram("ssh", [...rig.sshArgs(), rig.target, "echo still-serving"]);
    expect(after.stdout.toString()).toBe("still-serving\n");
    await rowFor((x) => x.Command === "echo still-serving");
  });

  it("several programs on one connection (OpenSSH ControlMaster) are recorded separately under one SessionID", async () => {
    const sock = join(rig.dir, "cm.sock");
    const master = await runProgram("ssh", [...rig.sshArgs(), "-o", "ControlMaster=yes", "-o", `ControlPath=${sock}`, "-o", "ControlPersist=30", "-fN", rig.target]);
    expect(master.code).toBe(0);
    try {
      const viaMaster = ["-o", `ControlPath=${sock}`, "-o", "ControlMaster=no"];
      const [a, b] = await Promise.all([
        runProgram("ssh", [...rig.sshArgs(), ...viaMaster, rig.target, "sleep 0.3; echo first; exit 1"]),
        runProgram("ssh", [...rig.sshArgs(), ...viaMaster, rig.target, "sleep 0.3; echo second; exit 2"]),
      ]);
      expect([a.stdout.toString(), a.code, b.stdout.toString(), b.code]).toEqual(["first\n", 1, "second\n", 2]);
      const ra = await rowFor((x) => x.Command === "sleep 0.3; echo first; exit 1");
      const rb = await rowFor((x) => x.Command === "sleep 0.3; echo second; exit 2");
      expect(ra.SessionID).toBe(rb.SessionID);
      expect(new Set([ra.ProgramID, rb.ProgramID])).toEqual(new Set([`${ra.SessionID.slice(0, 8)}-0`, `${ra.SessionID.slice(0, 8)}-1`]));
      expect(ra.LogFile).not.toBe(rb.LogFile);
      expect(dataOf((await readRecording(join(rig.outDir, ra.LogFile), rig.privateKey)).packets, 1).toString()).toBe("first\n");
      expect(dataOf((await readRecording(join(rig.outDir, rb.LogFile), rig.privateKey)).packets, 1).toString()).toBe("second\n");
    } finally {
      await runProgram("ssh", [...rig.sshArgs(), "-o", `ControlPath=${sock}`, "-O", "exit", rig.target]);
    }
  });

  it("passes the environment the client sends (SetEnv) to the server, as the server allows it", async () => {
    const r = await runProgram("ssh", [...rig.sshArgs(), "-o", "SetEnv=LC_SSH_LOG_DEMO=passed", rig.target, "echo \"$LC_SSH_LOG_DEMO\""]);
    expect(r.stdout.toString()).toBe("passed\n");
  });

  it("forwards a signal request the client sends (ssh2 client) to the server", async () => {
    // sshd acts on signal requests only for privilege-separated sessions (not root's), but it logs
    // every one it receives: that log line is the proof the proxy passed it on, name intact.
    const ssh2 = (await import("ssh2")).default;
    const client = new ssh2.Client();
    const before = (rig.sshd.log().match(/session_signal_req/g) ?? []).length;
    await new Promise<void>((resolve, reject) => {
      client.on("error", reject);
      client.on("ready", () => {
        client.exec("echo signal-me; sleep 2", (err, ch) => {
          if (err) { reject(err); return; }
          ch.on("data", (d: Buffer) => { if (d.toString().includes("signal-me")) ch.signal("USR1"); });
          ch.stderr.on("data", () => undefined);
          ch.on("close", () => { client.end(); resolve(); });
        });
      });
      client.connect({ host: "127.0.0.1", port: rig.proxy.port, username: rig.sshd.user, privateKey: readFileSync(rig.userKey), readyTimeout: 10_000 });
    });
    const seen = (rig.sshd.log().match(/session_signal_req/g) ?? []).length;
    expect(seen).toBe(before + 1);
    const row = await rowFor((x) => x.Command === "echo signal-me; sleep 2");
    expect(row.ExitStatus).toBe(0);
  });

  it("refuses to log in upstream when the server's host key is not the pinned one", async () => {
    const { startProxy } = await import("../../../lib/proxy/start-proxy.js");
    const lines: string[] = [];
    const impostorCheck = await startProxy({
      listen: { host: "127.0.0.1", port: 0 }, upstream: { host: "127.0.0.1", port: rig.sshd.port },
      hostKeyPath: join(rig.dir, "proxy_host_ed25519"), authorizedKeysPath: join(rig.dir, "users.pub"),
      upstreamKeyPath: join(rig.dir, "proxy_id_ed25519"), upstreamHostKeyPath: `${rig.userKey}.pub`,
      publicKeyPath: join(rig.dir, "sshkey.pub"), outDir: join(rig.dir, "pinned-out"), log: (l) => lines.push(l),
    });
    try {
      const r = await runProgram("ssh", [...rig.sshArgs().map((a) => (a === String(rig.proxy.port) ? String(impostorCheck.port) : a)), rig.target, "true"]);
      expect(r.code).toBe(255);
      expect(r.stderr).toMatch(/Permission denied/);
      expect(lines.some((l) => /presented host key SHA256:\S+, not the pinned one; refusing/.test(l))).toBe(true);
    } finally {
      await impostorCheck.close();
    }
  });

  it("refuses SFTP with a clear message and records nothing for it", async () => {
    const r = await runProgram("sftp", ["-b", "-", ...rig.sshArgs().map((a) => (a === "-p" ? "-P" : a)), rig.target], { input: "ls\n" });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("SFTP and other subsystems are refused here because they are not recorded");
    const tag = /^([0-9a-f]{8}) refused the sftp subsystem/.exec(rig.logLines.find((l) => /refused the sftp subsystem/.test(l)) ?? "")?.[1];
    expect(tag).toBeDefined();
    await waitFor("the sftp connection to end", () => (rig.logLines.some((l) => l.startsWith(`${tag} `) && /disconnected/.test(l)) ? true : undefined));
    await new Promise((res) => setTimeout(res, 200));
    expect(rig.indexRows().filter((x) => x.SessionID.startsWith(tag!))).toEqual([]);
  });

  it("accepts RSA (rsa-sha2-512) and ECDSA user keys listed in authorized_keys", async () => {
    const { execFileSync } = await import("node:child_process");
    const { appendFileSync } = await import("node:fs");
    for (const [type, bits] of [["rsa", "3072"], ["ecdsa", "256"]] as const) {
      const key = join(rig.dir, `user_${type}`);
      execFileSync("ssh-keygen", ["-q", "-t", type, "-b", bits, "-N", "", "-C", `${type}@laptop`, "-f", key]);
      appendFileSync(join(rig.dir, "users.pub"), readFileSync(`${key}.pub`));
      const r = await runProgram("ssh", [...rig.sshArgs(key), rig.target, `echo key-${type}`]);
      expect(r.stdout.toString()).toBe(`key-${type}\n`);
      expect((await rowFor((x) => x.Command === `echo key-${type}`)).UserKeyComment).toBe(`${type}@laptop`);
    }
  });

  it("refuses a key that is not in authorized_keys, and a user the upstream refuses", async () => {
    const stranger = await runProgram("ssh", [...rig.sshArgs(rig.sshd.clientKey), rig.target, "true"]);
    expect(stranger.code).toBe(255);
    expect(stranger.stderr).toMatch(/Permission denied \(publickey\)/);
    expect(rig.logLines.some((l) => /is not authorized/.test(l))).toBe(true);
    const ghost = await runProgram("ssh", [...rig.sshArgs(), "no-such-user@127.0.0.1", "true"]);
    expect(ghost.code).toBe(255);
    expect(ghost.stderr).toMatch(/Permission denied \(publickey\)/);
    expect(rig.logLines.some((l) => /upstream .* refused no-such-user/.test(l))).toBe(true);
  });

  it("keeps concurrent sessions independent: one whose upstream dies does not disturb the others", async () => {
    // This session kills its own sshd session process, so its upstream connection drops.
    const doomed = runProgram("ssh", [...rig.sshArgs(), rig.target, "echo started; sleep 0.5; kill -9 $PPID; sleep 5"]);
    const others = Array.from({ length: 6 }, (_, i) => runProgram("ssh", [...rig.sshArgs(), rig.target, `sleep 1; echo ok-${i}; exit ${i}`]));
    const results = await Promise.all(others);
    results.forEach((r, i) => {
      expect(r.stdout.toString()).toBe(`ok-${i}\n`);
      expect(r.code).toBe(i);
    });
    const d = await doomed;
    expect(d.stdout.toString()).toBe("started\n");
    expect(d.code).toBe(255);
    const row = await rowFor((x) => x.Command?.startsWith("echo started") === true);
    expect(row.ExitStatus).toBeNull();
    expect(row.Error).not.toBe("");
    const rec = await readRecording(join(rig.outDir, row.LogFile), rig.privateKey);
    expect(dataOf(rec.packets, 1).toString()).toBe("started\n");
    for (let i = 0; i < 6; i++) expect((await rowFor((x) => x.Command === `sleep 1; echo ok-${i}; exit ${i}`)).ExitStatus).toBe(i);
  });
});

describe("stopping the proxy", () => {
  it("ends open sessions, closes their recordings with a reason and writes their index rows", async () => {
    const own = await startRig();
    try {
      const { spawn } = await import("node:child_process");
      const child = spawn("ssh", [...own.sshArgs(), own.target, "echo running; sleep 60"], { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      child.stdout.on("data", (d: Buffer) => { out += d.toString(); });
      const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
      await waitFor("the program to run", () => (out.includes("running") ? true : undefined));
      await own.proxy.close();
      expect(await exited).toBe(255);
      const row = own.indexRows().find((x) => x.Command === "echo running; sleep 60");
      expect(row).toMatchObject({ ExitStatus: null, Error: "the proxy was stopped" });
      const rec = await readRecording(join(own.outDir, row!.LogFile), own.privateKey);
      expect(rec.header.exit).toMatchObject({ status: null, errorMessage: "the proxy was stopped" });
      expect(dataOf(rec.packets, 1).toString()).toBe("running\n");
      expect(own.proxy.connections).toBe(0);
    } finally {
      await own.stop();
    }
  });
});
