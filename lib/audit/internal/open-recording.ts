/**
 * Opens any recording the audit store reads as a Session: an encrypted capture (with a key), a
 * decrypted zip in ssh-log-cli's layout, or an asciicast file. Captures go through the project's
 * reader; zips and .cast files through the small readers below.
 */
import { readFile } from "node:fs/promises";
import yauzl from "yauzl";
import { BadInputError, UsageError, fsError } from "../../errors.js";
import { openCaptureFile } from "../../session/open-capture-file.js";
import { eventsOf, newOutcome, type Session, type SessionEvent, type SessionInfo } from "../../session/model.js";
import type { ExitData } from "../../format/header.js";
import { parseCastText } from "./asciicast-text.js";

/** Opens a recording of `kind`; captures need `keyPath`. */
export async function openRecording(path: string, kind: "capture" | "zip" | "asciicast", keyPath: string | null, warn: (m: string) => void): Promise<Session> {
  if (kind === "capture") {
    if (keyPath === null) throw new UsageError(`${path} is an encrypted capture; pass the private key with -i KEY to index it.`, { file: path });
    return openCaptureFile(path, keyPath, { warn });
  }
  if (kind === "zip") return openDecryptedZip(path);
  return openCastFile(path);
}

function fromEvents(info: SessionInfo, events: SessionEvent[]): Session {
  const outcome = newOutcome();
  let used = false;
  async function* batches(): AsyncIterable<SessionEvent[]> {
    if (used) throw new Error("a Session's events can be read only once");
    used = true;
    outcome.events = events.length;
    outcome.complete = true;
    yield events;
  }
  return { info, outcome, batches, events: () => eventsOf(batches()) };
}

async function openCastFile(path: string): Promise<Session> {
  let text: string;
  try { text = await readFile(path, "utf8"); } catch (err) { throw fsError(err, path, "recording"); }
  const c = parseCastText(text, path);
  const pty = c.width !== null && c.height !== null ? { term: typeof (c.header.env as Record<string, unknown> | undefined)?.TERM === "string" ? String((c.header.env as Record<string, unknown>).TERM) : null, width: c.width, height: c.height, modes: [] } : null;
  return fromEvents({ kind: "asciicast", path, startedAt: c.timestamp ?? 0, pty, exit: null, command: c.command, extra: { ...c.header } }, c.events);
}

async function readZipEntries(path: string): Promise<Map<string, Buffer>> {
  const zip = await new Promise<yauzl.ZipFile>((res, rej) => yauzl.open(path, { lazyEntries: true }, (e, z) => (e ? rej(e) : res(z!))))
    .catch((err: unknown) => { throw new BadInputError(`${path} is not a readable zip (${(err as Error).message}); give the zip ssh-log decrypt or ssh-log-cli wrote.`, { file: path, cause: err }); });
  const out = new Map<string, Buffer>();
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on("entry", (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, s) => {
          if (e) return reject(e);
          const parts: Buffer[] = [];
          s!.on("data", (d: Buffer) => parts.push(d));
          s!.on("end", () => { out.set(entry.fileName, Buffer.concat(parts)); zip.readEntry(); });
          s!.on("error", reject);
        });
      });
      zip.on("end", () => resolve());
      zip.on("error", reject);
      zip.readEntry();
    });
  } catch (err) {
    throw new BadInputError(`${path} is a damaged zip (${(err as Error).message}); decrypt the capture again.`, { file: path, cause: err });
  } finally {
    zip.close();
  }
  return out;
}

const START = /^Session started on (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\+00 \[TERM="([^"]*)" COLUMNS="(\d+)" LINES="(\d+)"\]\n/;
const DONE = /\n(?:Script done on (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\+00 \[(?:COMMAND_EXIT_CODE="(-?\d+)"|(CORE DUMPED)|ERROR="([^]*)")\]|Session has no termination data)\n$/;

function unixOf(s: string): number {
  return Date.parse(`${s.replace(" ", "T")}Z`) / 1000;
}

async function openDecryptedZip(path: string): Promise<Session> {
  const entries = await readZipEntries(path);
  const data = entries.get("term_data.txt");
  const times = entries.get("term_times.txt");
  if (data !== undefined && times !== undefined) {
    const head = data.subarray(0, 512).toString("latin1");
    const m = START.exec(head);
    if (!m) throw new BadInputError(`${path}: term_data.txt does not start with ssh-log-cli's "Session started on" line; give an unmodified decrypted zip.`, { file: path });
    const startLen = Buffer.byteLength(m[0], "latin1");
    const events: SessionEvent[] = [];
    let pos = startLen;
    let t = 0;
    for (const line of times.toString("latin1").split("\n")) {
      if (line === "") continue;
      const [d, n] = line.split(" ");
      const bytes = Number(n);
      if (!Number.isInteger(bytes) || bytes < 0 || pos + bytes > data.length) {
        throw new BadInputError(`${path}: term_times.txt does not match term_data.txt (a line "${line.slice(0, 40)}" points past the data); give an unmodified decrypted zip.`, { file: path });
      }
      t += Math.round(Number(d) * 1e6);
      events.push({ source: 1, code: 0, elapsedMicros: t, data: data.subarray(pos, pos + bytes) });
      pos += bytes;
    }
    const tail = data.subarray(pos).toString("utf8");
    const e = DONE.exec(tail);
    let exit: ExitData | null = null;
    if (e && e[1] !== undefined) {
      exit = { timestamp: unixOf(e[1]), status: e[2] !== undefined ? Number(e[2]) : null, signal: null, coreDumped: e[3] !== undefined, errorMessage: e[4] ?? null };
    }
    const info: SessionInfo = {
      kind: "zip", path, startedAt: unixOf(m[1]!), exit, command: null, extra: {},
      pty: { term: m[2] === "unknown" ? null : m[2]!, width: Number(m[3]), height: Number(m[4]), modes: [] },
    };
    return fromEvents(info, events);
  }
  const client = entries.get("data_from_client.txt");
  const server = entries.get("data_from_server.txt");
  if (client !== undefined && server !== undefined) {
    const events: SessionEvent[] = [];
    if (client.length > 0) events.push({ source: 0, code: 0, elapsedMicros: 0, data: client });
    if (server.length > 0) events.push({ source: 1, code: 0, elapsedMicros: 0, data: server });
    // This layout keeps no start time or exit: the recording is indexed without them.
    return fromEvents({ kind: "zip", path, startedAt: 0, pty: null, exit: null, command: null, extra: {} }, events);
  }
  throw new BadInputError(`${path} is a zip but not a decrypted session (no term_data.txt + term_times.txt, nor data_from_client.txt + data_from_server.txt).`, { file: path });
}
