import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataOf, readRecording } from "../../helpers/read-recording.js";
import { referenceMismatch } from "../../helpers/reference-decode.js";
import { sshClientOptions } from "../../helpers/sshd.js";
import { type ProxyRig, startRig, waitFor } from "./setup.js";

/**
 * A user at a real terminal (a tmux pane) runs ssh through the proxy and, side by side, directly
 * to the same sshd: interactive programs, resizing, Ctrl-C, terminal modes and the exit code must
 * behave the same, and the proxied session must be recorded.
 */
let rig: ProxyRig;
const SOCKET = `ssh-log-proxy-test-${process.pid}`;
const tmux = (...args: string[]): string => execFileSync("tmux", ["-L", SOCKET, "-f", "/dev/null", ...args], { encoding: "utf8" });
const screen = (pane: string): string => tmux("capture-pane", "-p", "-t", pane);
const keys = (pane: string, ...k: string[]): void => { tmux("send-keys", "-t", pane, ...k); };
const line = (pane: string, text: string): void => { keys(pane, "-l", text); keys(pane, "Enter"); };
async function shows(pane: string, re: RegExp, what: string): Promise<string> {
  let last = "";
  try {
    return await waitFor(`${what} on the screen of ${pane}`, () => { last = screen(pane); return re.test(last) ? last : undefined; });
  } catch (err) {
    throw new Error(`${(err as Error).message}; the screen shows:\n${last}`);
  }
}

beforeAll(async () => { rig = await startRig(); });
afterAll(async () => {
  try { tmux("kill-server"); } catch { /* already gone */ }
  await rig?.stop();
});

describe("a real terminal through the proxy", () => {
  it("vim, top, resizing, Ctrl-C, terminal modes and the exit code behave as over a direct connection, and are recorded", async () => {
    const dir = rig.dir;
    const ssh = (opts: string[]): string => ["ssh", ...opts, rig.target].map((a) => `'${a}'`).join(" ");
    // Two panes of the same size: one through the proxy, one direct; each writes ssh's exit code when it ends.
    tmux("new-session", "-d", "-s", "proxied", "-x", "100", "-y", "30", `${ssh(rig.sshArgs())}; echo $? > ${dir}/proxied.exit; sleep 60`);
    tmux("new-session", "-d", "-s", "direct", "-x", "100", "-y", "30", `${ssh(sshClientOptions(rig.sshd.clientKey, rig.sshd.port))}; echo $? > ${dir}/direct.exit; sleep 60`);
    for (const p of ["proxied", "direct"]) {
      line(p, "PS1='$ '; echo ready-$((40+2))");
      await shows(p, /ready-42/, "the shell");
      line(p, `stty -g > ${dir}/${p}.stty; stty size; echo size-$((1+1))`);
      await shows(p, /30 100\s+size-2/, "the first size");
    }
    // The terminal modes the server's pty got are the same whether or not the proxy is in between.
    await waitFor("both stty files", () => (existsSync(`${dir}/proxied.stty`) && existsSync(`${dir}/direct.stty`) ? true : undefined));
    expect(readFileSync(`${dir}/proxied.stty`, "utf8")).toBe(readFileSync(`${dir}/direct.stty`, "utf8"));

    const p = "proxied";
    tmux("resize-window", "-t", p, "-x", "80", "-y", "24");
    line(p, "clear; stty size; echo resized-$((2+2))");
    await shows(p, /24 80\s+resized-4/, "the new size");

    line(p, "sleep 100");
    await new Promise((r) => setTimeout(r, 300));
    keys(p, "C-c");
    line(p, "echo interrupted-$?");
    await shows(p, /interrupted-130/, "Ctrl-C's status");

    line(p, `vim -u NONE -N ${dir}/typed.txt`);
    await shows(p, /typed\.txt/, "vim");
    keys(p, "i");
    keys(p, "-l", "written in vim");
    keys(p, "Escape");
    keys(p, "-l", ":wq");
    keys(p, "Enter");
    await waitFor("the file vim wrote", () => (existsSync(`${dir}/typed.txt`) ? true : undefined));
    expect(readFileSync(`${dir}/typed.txt`, "utf8")).toBe("written in vim\n");
    // vim restores the terminal with TCSAFLUSH, which drops anything typed ahead: wait for the prompt.
    await shows(p, /\n\$ *\n*$/, "the prompt after vim");

    line(p, "clear; top -d 0.3");
    await shows(p, /load average/, "top");
    keys(p, "q");
    line(p, "echo top-done-$?");
    await shows(p, /top-done-0/, "top's exit");

    line(p, "exit 7");
    const exitFile = `${dir}/proxied.exit`;
    await waitFor("ssh's exit code", () => (existsSync(exitFile) && readFileSync(exitFile, "utf8").trim() !== "" ? true : undefined));
    expect(readFileSync(exitFile, "utf8").trim()).toBe("7");

    const row = await waitFor("the shell's index row", () => rig.indexRows().find((r) => r.ProgramType === "shell" && r.ExitStatus === 7));
    const rec = await readRecording(join(rig.outDir, row.LogFile), rig.privateKey);
    expect(rec.violations).toEqual([]);
    expect(await referenceMismatch(join(rig.outDir, row.LogFile), rig.privateKey, rec.packets)).toBeNull();
    expect(rec.header.pty).toMatchObject({ width: 100, height: 30 });
    expect(row.PTY).toBe(rec.header.pty?.term);
    // The modes the client sent are recorded by name.
    const modes = new Map(rec.header.pty!.modes);
    expect(modes.get("ECHO")).toBe(1);
    expect(modes.has("VINTR")).toBe(true);
    const changes = rec.header.extra.window_changes as Array<[number, number, number]>;
    expect(changes.at(-1)?.slice(1)).toEqual([80, 24]);
    const typed = dataOf(rec.packets, 0).toString("latin1");
    expect(typed).toContain("\x03");
    expect(typed).toContain("written in vim");
    expect(typed).toContain(":wq");
    const shown = dataOf(rec.packets, 1).toString("latin1");
    for (const s of ["ready-42", "size-2", "resized-4", "interrupted-130", "load average", "top-done-0"]) expect(shown).toContain(s);
    expect(rec.header.exit?.status).toBe(7);
  }, 90_000);
});
