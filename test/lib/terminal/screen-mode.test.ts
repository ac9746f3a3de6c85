import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { ENTER_ALT_SCREEN, enterFullScreen, LEAVE_ALT_SCREEN, SHOW_CURSOR } from "../../../lib/terminal/screen-mode.js";

const setup = () => {
  let written = "";
  const raw: boolean[] = [];
  const proc = new EventEmitter();
  const signals: string[] = [];
  const restore = enterFullScreen({ write: (s: string) => { written += s; } }, { isTTY: true, setRawMode: (on: boolean) => { raw.push(on); } }, proc, (s) => { signals.push(s); });
  return { restore, proc, signals, raw, out: () => written };
};

describe("enterFullScreen", () => {
  it("enters the alternate screen and restores screen, cursor and raw mode exactly once", () => {
    const t = setup();
    expect(t.out()).toBe(ENTER_ALT_SCREEN);
    t.restore();
    t.restore();
    t.proc.emit("exit");
    expect(t.out()).toBe(ENTER_ALT_SCREEN + SHOW_CURSOR + LEAVE_ALT_SCREEN);
    expect(t.raw).toEqual([false]);
    expect(t.proc.listenerCount("exit")).toBe(0);
    expect(t.proc.listenerCount("SIGINT")).toBe(0);
  });
  it("restores on SIGINT, SIGTERM or process exit, then lets the caller end", () => {
    for (const event of ["SIGINT", "SIGTERM", "SIGHUP", "exit"]) {
      const t = setup();
      t.proc.emit(event);
      expect(t.out().endsWith(LEAVE_ALT_SCREEN)).toBe(true);
      expect(t.signals).toEqual(event === "exit" ? [] : [event]);
      t.restore();
      expect(t.out().split(LEAVE_ALT_SCREEN)).toHaveLength(2);
    }
  });
});
