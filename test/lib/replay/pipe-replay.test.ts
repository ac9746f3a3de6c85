import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { OutputClosedError } from "../../../lib/outputs/output-target.js";
import { pipeReplay } from "../../../lib/replay/run-replay.js";
import { newOutcome, sessionOf, type Session, type SessionEvent } from "../../../lib/session/model.js";

function session(events: SessionEvent[]): Session {
  const outcome = newOutcome();
  async function* read(): AsyncGenerator<SessionEvent[], void, undefined> {
    for (const e of events) yield [e];
    outcome.events = events.length;
    outcome.complete = true;
  }
  return sessionOf({ info: { kind: "asciicast", path: "s.cast", startedAt: 0, pty: null, exit: null, command: null, extra: {} }, outcome, read });
}

const events = Array.from({ length: 50 }, (_, i): SessionEvent => ({ source: i % 5 === 0 ? 0 : 1, code: 0, elapsedMicros: i * 1000, data: Buffer.from(`out ${i}\r\n`) }));

describe("pipeReplay", () => {
  it("writes the output bytes as they were sent, waiting for the stream to drain", async () => {
    const got: Buffer[] = [];
    const out = new Writable({ highWaterMark: 4, write(c, _e, cb) { got.push(c); setImmediate(cb); } });
    const n = await pipeReplay(session(events), out);
    const want = Buffer.concat(events.filter((e) => e.source === 1).map((e) => e.data));
    expect(Buffer.concat(got)).toEqual(want);
    expect(n).toBe(want.length);
  });

  it("ends with OutputClosedError when the reader goes away while it waits for 'drain', instead of hanging", async () => {
    const epipe = Object.assign(new Error("write EPIPE"), { code: "EPIPE" });
    const out = new Writable({ highWaterMark: 4, write(_c, _e, cb) { setImmediate(() => cb(epipe)); } });
    await expect(pipeReplay(session(events), out)).rejects.toBeInstanceOf(OutputClosedError);
  }, 2_000);
});
