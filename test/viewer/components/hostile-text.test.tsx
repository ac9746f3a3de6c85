/**
 * Text from the evidence (emails, host names, commands) may hold escape sequences: typed by the
 * user being audited, or planted in a Logpush field. None may reach the auditor's terminal raw.
 */
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, render } from "ink-testing-library";
import { App } from "../../../viewer/App.js";
import { themeFor } from "../../../viewer/theme.js";
import { KEYS, makeRows, MemorySource, tick, waitFor } from "../helpers/memory-source.js";

const noReplay = async (): Promise<never> => { throw new Error("no replay in this test"); };
// Any C0 control but newline, DEL, or a C1 control (U+009B is CSI on 8-bit terminals).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

afterEach(() => { cleanup(); });

describe("hostile text in the viewer", () => {
  it("shows control characters in the title, fields, context and commands as spaces", async () => {
    const rows = makeRows(2);
    rows[0] = { ...rows[0]!, user: "evil\u001b]0;pwned\u0007@example.com", target: "host\u001b[2J\u009b31mx" };
    const source = new MemorySource(rows, new Map([["s0", ["echo \u001b[2J\u001b[31mRED", "ls"]]]));
    const app = render(<App source={source} loadReplay={noReplay} theme={themeFor({ NO_COLOR: "1" })} />);
    await waitFor(() => (app.lastFrame() ?? "").includes("2 sessions"));
    expect(app.lastFrame()).not.toMatch(CONTROL);
    app.stdin.write(KEYS.enter);
    await waitFor(() => (app.lastFrame() ?? "").includes("Commands (2)"));
    await tick(50);
    const f = app.lastFrame()!;
    expect(f).toContain("Session · evil ]0;pwned @example.com → host [2J 31mx");
    expect(f).toContain("echo  [2J [31mRED");
    expect(f).not.toMatch(CONTROL);
  });
});
