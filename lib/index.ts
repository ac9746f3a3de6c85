/**
 * ssh-log's public API: re-exports only. Every input becomes a Session (metadata plus a stream of
 * events); every output is made from one.
 *
 * @example
 *   import { openCaptureFile, writeDecryptedZip } from "ssh-log";
 *   const session = await openCaptureFile("session.log", "sshkey");
 *   await writeDecryptedZip(session, "session.log-decrypted.zip");
 */
export * from "./errors.js";
export type { CaptureHeader, ExitData, Pty } from "./format/header.js";
export { parseHeader, encodeHeader } from "./format/header.js";
export { CaptureFramer, type FrameEvent, type Truncation } from "./format/framing.js";
export { PacketParser, Source, PacketCode, type Packet } from "./format/packets.js";
export { DEFAULT_LIMITS, type ParseLimits } from "./format/limits.js";
export { decodeKeyText, encodeKeyText, readPrivateKeyFile, readPublicKeyFile, parsePublicKey } from "./crypto/keys.js";
export { generateKeyPair, publicKeyOf, BlockOpener, BlockSealer } from "./crypto/suite.js";
export { writeKeyPair, type WrittenKeyPair } from "./crypto/write-key-pair.js";
export type { Session, SessionEvent, SessionInfo, ReadOutcome, SessionSourceKind } from "./session/model.js";
export { openCapture, type OpenCaptureOptions } from "./session/open-capture.js";
export { openCaptureFile } from "./session/open-capture-file.js";
export { inspectCapture, type CaptureInspection } from "./session/inspect-capture.js";
export { createRecorder, Recorder, type RecorderOptions, type RecorderExit, type RecordingSummary } from "./session/recorder.js";
export { startProxy, type ProxyOptions, type RunningProxy, type HostPort } from "./proxy/start-proxy.js";
export type { ProgramIndexRow } from "./proxy/program-index.js";
export { writeDecryptedZip, defaultZipPath, type ZipResult } from "./outputs/zip.js";
export { formatDelay, sessionStartLine, sessionEndLine } from "./outputs/script-format.js";
export { openSession, detectInputKind, type OpenSessionOptions } from "./session/open-any.js";
export { openZip } from "./session/open-zip.js";
export { openAsciicast, openAsciicastText, type AsciicastHeader } from "./session/open-asciicast.js";
export { openLogpushPayload, openLogpushRecord, type LogpushRecord } from "./session/open-logpush-payload.js";
export { writeAsciicast, type AsciicastResult } from "./outputs/asciicast.js";
export { writeTextTranscript, type TranscriptResult } from "./outputs/text-transcript.js";
export { extractCommands, extractCommandsFrom, writeCommandsJsonl, type CommandRecord } from "./outputs/commands.js";
export { writeTypescript, type TypescriptResult } from "./outputs/typescript.js";
export { exportSession, ExportFormat, type ExportResult } from "./outputs/export-session.js";
export { Sink, writeTo } from "./outputs/output-target.js";
export { analyzeEvents, type AnalyzedItem, type CommandMark, type CommandOutput } from "./terminal/analyzer.js";
export { Emulator, type EmulatorOptions } from "./terminal/emulator.js";
export { TerminalPlayer, type PlayerCommand, type PlayerScreen, type PlayerOptions } from "./terminal/player.js";
export { openAuditDb, DEFAULT_DB_PATH, type AuditDb } from "./audit/open-db.js";
export { ingestPaths, type IngestSummary, type IngestOptions, type IngestProgress } from "./audit/ingest.js";
export { runQuery, queryObjects } from "./audit/query.js";
export { listReports, runReport, type ReportInfo, type ReportParams } from "./audit/reports.js";
export { searchText, type SearchOptions } from "./audit/search.js";
export { exportParquet, type ExportedTable } from "./audit/export-parquet.js";
export { writeResult, FORMATS as RESULT_FORMATS, type ResultSet, type OutputFormat } from "./audit/format-result.js";
export { DATASETS, type DatasetName } from "./audit/datasets.js";
