import { afterEach, describe, expect, it } from "vitest";
import { cleanup, render } from "ink-testing-library";
import { App } from "../../../viewer/App.js";
import { themeFor } from "../../../viewer/theme.js";
import type { SessionSource } from "../../../viewer/source.js";
import { Flag } from "../../../viewer/source.js";
import { KEYS, makeRows, MemorySource, tick, waitFor } from "../helpers/memory-source.js";

const noReplay = async (): Promise<never> => { throw new Error("no replay in this test"); };

function mount(source: SessionSource, size = { columns: 100, rows: 24 }, onQuit?: () => void) {
  const app = render(<App source={source} loadReplay={noReplay} theme={themeFor({ NO_COLOR: "1" })} onQuit={onQuit} />);
  const out = app.stdout as unknown as { columns: number; rows: number; emit(e: string): void };
  Object.defineProperty(out, "columns", { value: size.columns, configurable: true });
  Object.defineProperty(out, "rows", { value: size.rows, configurable: true });
  out.emit("resize");
  return { ...app, resize(columns: number, rows: number) {
    Object.defineProperty(out, "columns", { value: columns, configurable: true });
    Object.defineProperty(out, "rows", { value: rows, configurable: true });
    out.emit("resize");
  } };
}

/** Waits until the list has answered (a count, nothing loading) and shows `text`. */
const settled = (app: { lastFrame(): string | undefined }, text = "session"): Promise<void> =>
  waitFor(() => { const f = app.lastFrame() ?? ""; return /\d sessions?/.test(f) && !f.includes("loading…") && f.includes(text); });

const lines = (frame: string | undefined): string[] => (frame ?? "").split("\n");
const selected = (frame: string | undefined): string => lines(frame).find((l) => l.startsWith("›")) ?? "";

afterEach(() => { cleanup(); });

describe("session list", () => {
  it("shows the newest sessions first with their columns, and moves with the arrows and j/k", async () => {
    const app = mount(new MemorySource(makeRows(30)));
    await settled(app);
    const f = app.lastFrame()!;
    expect(f).toContain("30 sessions");
    expect(f).toContain("sort: newest");
    expect(f).toMatch(/STARTED \(UTC\)\s+USER\s+TARGET/);
    expect(selected(f)).toContain("2026-10-14 06:52");
    expect(selected(f)).toContain("alice@example.com");
    app.stdin.write(KEYS.down);
    await waitFor(() => selected(app.lastFrame()).includes("bob@example.com"));
    expect(selected(app.lastFrame())).toContain("bob@example.com");
    app.stdin.write("j");
    await tick();
    app.stdin.write("k");
    await waitFor(() => selected(app.lastFrame()).includes("bob@example.com"));
    expect(selected(app.lastFrame())).toContain("bob@example.com");
    app.stdin.write("G");
    await waitFor(() => selected(app.lastFrame()).includes("2026-10-14 06:23"));
    expect(selected(app.lastFrame())).toContain("2026-10-14 06:23");
  });

  it("filters as you type and clears with x", async () => {
    const app = mount(new MemorySource(makeRows(40)));
    await settled(app);
    app.stdin.write("/");
    await tick();
    for (const ch of "dave") { app.stdin.write(ch); await tick(10); }
    await tick(80);
    let f = app.lastFrame()!;
    expect(f).toContain("10 sessions");
    expect(f).toContain("/dave");
    expect(lines(f).filter((l) => l.includes("@")).every((l) => l.includes("dave@contractor.io"))).toBe(true);
    app.stdin.write(KEYS.enter);
    await tick(80);
    f = app.lastFrame()!;
    expect(f).toContain("filter: dave");
    app.stdin.write("/");
    await tick();
    app.stdin.write(" is:root");
    await waitFor(() => (app.lastFrame() ?? "").includes("2 sessions"));
    expect(app.lastFrame()).toContain("2 sessions");
    app.stdin.write(KEYS.esc);
    await waitFor(() => (app.lastFrame() ?? "").includes("10 sessions"));
    expect(app.lastFrame()).toContain("10 sessions");
    app.stdin.write("/");
    app.stdin.write("dave");
    app.stdin.write(KEYS.enter);
    await waitFor(() => (app.lastFrame() ?? "").includes("filter: dave"));
    app.stdin.write("x");
    await waitFor(() => (app.lastFrame() ?? "").includes("40 sessions"));
    app.stdin.write("/");
    app.stdin.write("dave");
    app.stdin.write(KEYS.enter);
    await waitFor(() => (app.lastFrame() ?? "").includes("filter: dave"));
    // Esc on the list clears the filter; it never quits.
    await tick(50);
    app.stdin.write(KEYS.esc);
    await waitFor(() => (app.lastFrame() ?? "").includes("40 sessions") && !(app.lastFrame() ?? "").includes("filter:"));
    app.stdin.write(KEYS.esc);
    await tick(80);
    expect(app.lastFrame()).toContain("40 sessions");
    expect(app.lastFrame()).toContain("40 sessions");
  });

  it("says so when nothing matches", async () => {
    const app = mount(new MemorySource(makeRows(5)));
    await settled(app);
    app.stdin.write("/");
    await tick();
    app.stdin.write("nobody-at-all");
    await waitFor(() => (app.lastFrame() ?? "").includes("No session matches the filter"));
    expect(app.lastFrame()).toContain("No session matches the filter");
  });

  it("cycles the sort with s", async () => {
    const app = mount(new MemorySource(makeRows(12)));
    await settled(app);
    app.stdin.write("s");
    await settled(app, "sort: oldest");
    expect(app.lastFrame()).toContain("sort: oldest");
    expect(selected(app.lastFrame())).toContain("2026-10-14 06:41");
    for (const next of ["longest", "user", "target", "newest"]) {
      app.stdin.write("s");
      await waitFor(() => (app.lastFrame() ?? "").includes(`sort: ${next}`));
      expect(app.lastFrame()).toContain(`sort: ${next}`);
    }
  });

  it("shows flags, and a row's problem as a message on that row", async () => {
    const rows = makeRows(3);
    rows[0] = { ...rows[0]!, flags: [Flag.Root, Flag.Risky, Flag.Truncated] };
    rows[1] = { ...rows[1]!, problem: { code: "ERR_WRONG_KEY", message: "b.log was not encrypted for this key" } };
    const app = mount(new MemorySource(rows));
    await settled(app);
    const f = lines(app.lastFrame());
    expect(f.find((l) => l.includes("alice"))).toMatch(/R! T/);
    expect(f.find((l) => l.includes("bob"))).toContain("⚠ b.log was not encrypted for this key");
    app.stdin.write("j");
    await waitFor(() => (app.lastFrame() ?? "").includes("[ERR_WRONG_KEY]"));
    expect(lines(app.lastFrame()).at(-1)).toContain("b.log was not encrypted for this key [ERR_WRONG_KEY]");
    expect(app.lastFrame()).toContain("2/3 sessions");
  });

  it("renders only the visible rows of 100,000 and asks for a few pages", async () => {
    const source = new MemorySource(makeRows(100_000));
    const app = mount(source, { columns: 80, rows: 24 });
    await settled(app);
    const f = app.lastFrame()!;
    expect(f).toContain("100,000 sessions");
    expect(lines(f).length).toBeLessThanOrEqual(23);
    app.stdin.write("G");
    await tick(150);
    expect(selected(app.lastFrame())).toContain("2026-08-05 20:13");
    expect(source.asked.length).toBeLessThanOrEqual(6);
    expect(source.asked.every((q) => q.limit <= 100)).toBe(true);
  });

  it("fits the columns to the width and follows resizes", async () => {
    const app = mount(new MemorySource(makeRows(30)), { columns: 200, rows: 50 });
    await settled(app);
    let f = lines(app.lastFrame());
    expect(f.every((l) => l.length <= 200)).toBe(true);
    expect(f.filter((l) => l.includes("@")).length).toBe(30);
    app.resize(60, 15);
    await tick(80);
    f = lines(app.lastFrame());
    expect(f.every((l) => [...l].length <= 60)).toBe(true);
    expect(f.length).toBeLessThanOrEqual(14);
    expect(f.join("\n")).not.toContain("PROG");
  });
});

describe("detail, help and quitting", () => {
  it("opens a session with Enter, lists its context and commands, and goes back with q", async () => {
    const source = new MemorySource(makeRows(3), new Map([["s0", ["ls", "sudo rm -rf /var/www", "exit"]]]));
    const app = mount(source);
    await settled(app);
    app.stdin.write(KEYS.enter);
    await tick(80);
    const f = app.lastFrame()!;
    expect(f).toContain("Session · alice@example.com → tgt-web-00");
    expect(f).toContain("Access in the hour before (1)");
    expect(f).toContain("denied at app.example.com");
    expect(f).toContain("Commands (3)");
    expect(f).toContain("! sudo rm -rf /var/www");
    app.stdin.write("q");
    await waitFor(() => (app.lastFrame() ?? "").includes("3 sessions"));
    expect(app.lastFrame()).toContain("3 sessions");
  });

  it("shows every key with ? and closes it with Esc", async () => {
    const app = mount(new MemorySource(makeRows(3)), { columns: 100, rows: 40 });
    await settled(app);
    app.stdin.write("?");
    await tick(60);
    const f = app.lastFrame()!;
    expect(f).toContain("Session list: keys");
    for (const k of ["s", "/", "Enter", "Ctrl-C", "is:root"]) expect(f).toContain(k);
    app.stdin.write(KEYS.esc);
    await waitFor(() => (app.lastFrame() ?? "").includes("3 sessions"));
    expect(app.lastFrame()).toContain("3 sessions");
  });

  it("quits with q on the list and with Ctrl-C anywhere, even while typing", async () => {
    let quits = 0;
    const a = mount(new MemorySource(makeRows(3)), undefined, () => { quits++; });
    await settled(a);
    a.stdin.write("q");
    await tick(30);
    expect(quits).toBe(1);
    cleanup();
    const b = mount(new MemorySource(makeRows(3)), undefined, () => { quits++; });
    await settled(b);
    b.stdin.write("/");
    await tick();
    b.stdin.write("q");
    await tick();
    expect(quits).toBe(1);
    b.stdin.write(KEYS.ctrlC);
    await tick();
    expect(quits).toBe(2);
  });
});

describe("a screen that fails", () => {
  it("shows the failure in place; q goes back and Ctrl-C still quits", async () => {
    class Broken extends MemorySource {
      override async detail(id: string) {
        const d = await super.detail(id);
        // Something React cannot render: the screen throws while rendering.
        return { ...d, context: [{ at: 0, kind: "login" as const, text: { not: "text" } as unknown as string }] };
      }
    }
    let quits = 0;
    const app = mount(new Broken(makeRows(3)), undefined, () => { quits++; });
    await settled(app);
    app.stdin.write(KEYS.enter);
    await waitFor(() => (app.lastFrame() ?? "").includes("[ERR_INTERNAL]"), 8000, () => app.lastFrame() ?? "");
    expect(app.lastFrame()).toContain("This screen failed");
    app.stdin.write("q");
    await waitFor(() => (app.lastFrame() ?? "").includes("3 sessions"));
    app.stdin.write(KEYS.enter);
    await waitFor(() => (app.lastFrame() ?? "").includes("[ERR_INTERNAL]"));
    app.stdin.write(KEYS.ctrlC);
    await waitFor(() => quits === 1);
  });
});

describe("a source that fails", () => {
  it("shows a locked database in the list, and R tries again", async () => {
    class LockedOnce extends MemorySource {
      failures = 1;
      override async list(q: Parameters<MemorySource["list"]>[0]) {
        if (this.failures > 0) {
          this.failures--;
          throw Object.assign(new Error("The audit database a.duckdb is in use by another ssh-log process (PID 42); wait for it to finish."), { code: "ERR_DATABASE_LOCKED" });
        }
        return super.list(q);
      }
    }
    const app = mount(new LockedOnce(makeRows(4)));
    await waitFor(() => (app.lastFrame() ?? "").includes("[ERR_DATABASE_LOCKED] Press R to try again."));
    expect(app.lastFrame()).not.toContain("…\n");
    // Nothing is asked again until the user says so.
    await tick(200);
    expect(app.lastFrame()).toContain("ERR_DATABASE_LOCKED");
    app.stdin.write("R");
    await settled(app, "4 sessions");
    expect(app.lastFrame()).not.toContain("ERR_DATABASE_LOCKED");
  });
});
