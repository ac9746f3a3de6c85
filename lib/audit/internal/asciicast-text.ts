import { BadInputError } from "../../errors.js";
import type { SessionEvent } from "../../session/model.js";

/** An asciicast recording read whole from text: its header and its events in the Session shape. */
export interface ParsedCast {
  header: Record<string, unknown>;
  width: number | null;
  height: number | null;
  /** The header's `timestamp` (unix seconds), when present and non-zero. */
  timestamp: number | null;
  command: string | null;
  events: SessionEvent[];
}

const enc = new TextEncoder();

/**
 * Parses asciicast v2 (absolute times) or v3 (intervals) text: "o" events become server output,
 * "i" events keystrokes; markers and resizes carry no bytes and are skipped. Lines that do not
 * parse are skipped and counted.
 *
 * @example parseCastText('{"version":2,"width":80,"height":24}\n[0.5,"o","hi"]\n').events.length  // 1
 */
export function parseCastText(text: string, file: string): ParsedCast & { badLines: number } {
  const lines = text.split("\n");
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(lines[0] ?? "") as Record<string, unknown>;
  } catch {
    throw new BadInputError(`${file} is not an asciicast recording: its first line is not a JSON header.`, { file });
  }
  if (header === null || typeof header !== "object" || (header.version !== 2 && header.version !== 3)) {
    throw new BadInputError(`${file} is not an asciicast v2 or v3 recording (its header has no version 2 or 3).`, { file });
  }
  const v3 = header.version === 3;
  const term = (v3 ? header.term : header) as Record<string, unknown> | undefined;
  const events: SessionEvent[] = [];
  let badLines = 0;
  let t = 0;
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.trim() === "" || l.startsWith("#")) continue;
    let ev: unknown;
    try { ev = JSON.parse(l); } catch { badLines++; continue; }
    if (!Array.isArray(ev) || typeof ev[0] !== "number" || typeof ev[1] !== "string") { badLines++; continue; }
    t = v3 ? t + ev[0] : ev[0];
    if ((ev[1] === "o" || ev[1] === "i") && typeof ev[2] === "string") {
      events.push({ source: ev[1] === "o" ? 1 : 0, code: 0, elapsedMicros: Math.max(0, Math.round(t * 1e6)), data: enc.encode(ev[2]) });
    }
  }
  const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
  const ts = num(header.timestamp);
  return {
    header,
    width: num(term?.width ?? term?.cols),
    height: num(term?.height ?? term?.rows),
    timestamp: ts !== null && ts !== 0 ? ts : null,
    command: typeof header.command === "string" ? header.command : null,
    events,
    badLines,
  };
}
