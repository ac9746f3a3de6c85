import type { CaptureInspection } from "../session/inspect-capture.js";
import { showControls } from "../text.js";

function iso(unix: number): string {
  return new Date(unix * 1000).toISOString().replace(".000Z", "Z");
}

/** The inspection as a JSON-ready object (snake_case, as the header itself is). */
export function inspectionToJson(r: CaptureInspection): Record<string, unknown> {
  const h = r.header;
  return {
    path: r.path,
    file_bytes: r.fileBytes,
    header_bytes: r.headerBytes,
    started_at: iso(h.startedAt),
    started_at_unix: h.startedAt,
    pty: h.pty,
    exit_data: h.exit && {
      timestamp: iso(h.exit.timestamp), timestamp_unix: h.exit.timestamp, status: h.exit.status,
      signal: h.exit.signal, core_dumped: h.exit.coreDumped, error_msg: h.exit.errorMessage,
    },
    encapsulated_key: Buffer.from(h.encapsulatedKey).toString("hex"),
    data_size: h.dataSize,
    stream_bytes: r.streamBytes,
    data_size_agrees: r.dataSizeAgrees,
    blocks: {
      count: r.blocks.count, total_bytes: r.blocks.totalBytes, min_bytes: r.blocks.minBytes,
      max_bytes: r.blocks.maxBytes, mean_bytes: r.blocks.meanBytes, first_sizes: r.blocks.firstSizes,
    },
    ends_inside_block: r.truncation !== null,
    truncation: r.truncation,
    problem: r.problem,
    extra: h.extra,
  };
}

/**
 * The inspection as aligned text for a person.
 *
 * @example console.log(formatInspection(await inspectCapture("s.log")))
 */
export function formatInspection(r: CaptureInspection): string {
  const h = r.header;
  const rows: Array<[string, string]> = [
    ["File", `${r.path} (${r.fileBytes} bytes; header ${r.headerBytes})`],
    ["Started at", iso(h.startedAt)],
    ["PTY", h.pty ? `${h.pty.term ?? "unknown"} ${h.pty.width}x${h.pty.height}` + (h.pty.modes.length ? `, modes ${h.pty.modes.map(([k, v]) => `${k}=${v}`).join(" ")}` : "") : "none (exec, scp or another program without a terminal)"],
  ];
  if (h.exit === null) rows.push(["Exit", "no termination data"]);
  else {
    const e = h.exit;
    const how = e.errorMessage !== null ? `error "${e.errorMessage}"` : e.signal !== null ? `signal ${e.signal}${e.coreDumped ? " (core dumped)" : ""}` : e.coreDumped ? "core dumped" : `status ${e.status ?? 0}`;
    rows.push(["Exit", `${how} at ${iso(e.timestamp)}`]);
  }
  const b = r.blocks;
  rows.push(["Blocks", b.count === 0 ? "none" : `${b.count}, ${b.totalBytes} bytes (min ${b.minBytes}, mean ${b.meanBytes}, max ${b.maxBytes})`]);
  const declared = h.dataSize ? `${h.dataSize} declared, ${r.streamBytes} present: ${r.dataSizeAgrees ? "agrees" : "DISAGREES"}` : `not declared; ${r.streamBytes} present`;
  rows.push(["Data size", declared]);
  rows.push(["Ends", r.truncation ? `inside a block: ${r.truncation.message}` : r.problem ? `stopped: ${r.problem.message}` : "on a block boundary"]);
  const extra = Object.keys(h.extra);
  if (extra.length) rows.push(["Extensions", extra.join(", ")]);
  const w = Math.max(...rows.map(([k]) => k.length));
  // The header is not authenticated: its strings (term, error message, signal, extension names)
  // may hold escape sequences, shown here as marks.
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${showControls(v)}`).join("\n");
}
