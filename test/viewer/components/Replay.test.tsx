import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, render } from "ink-testing-library";
import { App } from "../../../viewer/App.js";
import { themeFor } from "../../../viewer/theme.js";
import { loadReplay } from "../../../viewer/sources/load-replay.js";
import { openFileSource } from "../../../viewer/sources/open-file-source.js";
import type { FileSessionSource } from "../../../viewer/sources/file-source.js";
import { SESSIONS_DIR, tempDirWithKey } from "../../helpers/fixtures.js";
import { KEYS, tick, waitFor as wait } from "../helpers/memory-source.js";

let keyDir: ReturnType<typeof tempDirWithKey>;
let source: FileSessionSource;
beforeAll(async () => {
  keyDir = tempDirWithKey();
  source = await openFileSource(SESSIONS_DIR, [keyDir.key]);
  await source.indexed;
});
afterAll(async () => {
  cleanup();
  await source.close();
  keyDir.cleanup();
});

describe("replay pane", () => {
  it("starts at the command chosen in the detail, pauses, jumps between commands, searches and shows its keys", async () => {
    const app = render(<App source={source} loadReplay={loadReplay} theme={themeFor({ NO_COLOR: "1" })} initialFilter="pty-exit-status" />);
    const frame = (): string => app.lastFrame() ?? "";
    const waitFor = (ok: () => boolean): Promise<void> => wait(ok, 8000, () => `a screen; the last was:\n${frame()}`);
    const out = app.stdout as unknown as { emit(e: string): void };
    Object.defineProperty(app.stdout, "rows", { value: 40, configurable: true });
    out.emit("resize");
    await waitFor(() => frame().includes("1 session") && !frame().includes("loading"));
    app.stdin.write(KEYS.enter);
    await waitFor(() => frame().includes("Commands (7)"));
    for (const k of "jjj") { app.stdin.write(k); await tick(20); }
    await waitFor(() => frame().includes("› +2:59.4"));
    app.stdin.write(KEYS.enter);
    await waitFor(() => frame().includes("command 4/7") && frame().includes("rm -rf /tmp/build-cache"));
    expect(frame()).toContain("80x24");
    expect(frame()).toMatch(/│ops@web-01:~\$ rm -rf \/tmp\/build-cache/);
    app.stdin.write(" ");
    await waitFor(() => frame().includes("paused"));
    app.stdin.write("]");
    await waitFor(() => frame().includes("command 5/7"));
    app.stdin.write("[");
    await waitFor(() => frame().includes("command 4/7"));
    app.stdin.write("/");
    await tick(20);
    app.stdin.write("ls -la");
    await tick(20);
    expect(frame()).toContain("search: ls -la");
    app.stdin.write(KEYS.enter);
    // Searching from command 4 lands on the first match after it, wrapping to the first.
    await waitFor(() => /"ls -la": match 1 of 2/.test(frame()));
    app.stdin.write("n");
    await waitFor(() => /"ls -la": match 2 of 2/.test(frame()));
    app.stdin.write("N");
    await waitFor(() => /"ls -la": match 1 of 2/.test(frame()));
    app.stdin.write("i");
    await waitFor(() => frame().includes("paused 1x real time") && frame().includes("Playing in real time"));
    app.stdin.write("i");
    await waitFor(() => !frame().includes("real time") && frame().includes("Silences longer than 2 s"));
    app.stdin.write("?");
    await waitFor(() => frame().includes("Replay: keys"));
    app.stdin.write(KEYS.esc);
    await waitFor(() => frame().includes("Replay ⏸ paused"));
    app.stdin.write("G");
    await waitFor(() => frame().includes("4:03.8 ") && frame().includes("command 7/7"));
    app.stdin.write("q");
    await waitFor(() => frame().includes("Commands (7)"));
  });

  it("shows why a recording cannot be replayed, in the pane", async () => {
    const noKey = await openFileSource(SESSIONS_DIR, [], { background: false });
    const app = render(<App source={noKey} loadReplay={loadReplay} theme={themeFor({})} initialFilter="pty-exit0" />);
    const frame = (): string => app.lastFrame() ?? "";
    const waitFor = (ok: () => boolean): Promise<void> => wait(ok, 8000, () => `a screen; the last was:\n${frame()}`);
    await waitFor(() => frame().includes("1 session") && !frame().includes("loading"));
    app.stdin.write("r");
    await waitFor(() => frame().includes("[ERR_USAGE]"));
    expect(frame()).toContain("needs its private key");
    app.stdin.write("q");
    await waitFor(() => frame().includes("1 session"));
    await noKey.close();
  });
});
