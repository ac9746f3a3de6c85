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
export { writeDecryptedZip, defaultZipPath, type ZipResult } from "./outputs/zip.js";
export { formatDelay, sessionStartLine, sessionEndLine } from "./outputs/script-format.js";
