/**
 * The Zero Trust Logpush datasets the audit store reads, with Cloudflare's own field names and
 * the DuckDB type each is stored as. One definition drives the table DDL, the `json_transform`
 * structure used at ingest, dataset detection and the Parquet partition column.
 *
 * @example DATASETS.access_requests.key  // ["RayID"]
 */

/** A Logpush dataset name, as Cloudflare names it. */
export type DatasetName = "access_requests" | "ssh_logs" | "zero_trust_network_sessions";

/** DuckDB storage types used for Logpush fields. */
export type FieldType = "VARCHAR" | "BOOLEAN" | "BIGINT" | "TIMESTAMPTZ" | "VARCHAR[]";

export interface Dataset {
  name: DatasetName;
  /** Cloudflare's fields, in their documented order, with the stored type. */
  fields: ReadonlyArray<readonly [string, FieldType]>;
  /** The fields that identify one record: re-ingesting a record with the same key adds nothing. */
  key: readonly string[];
  /** The record's own time, used for --since/--until and the Parquet day partition. */
  time: string;
  /** Fields whose presence marks a line as this dataset (detection). */
  signature: readonly string[];
}

const ts = "TIMESTAMPTZ" as const;
const s = "VARCHAR" as const;
const i = "BIGINT" as const;
const b = "BOOLEAN" as const;

/** Every dataset the audit store knows. */
export const DATASETS: Record<DatasetName, Dataset> = {
  access_requests: {
    name: "access_requests",
    fields: [
      ["Action", s], ["Allowed", b], ["AppDomain", s], ["AppUUID", s], ["Connection", s], ["Country", s],
      ["CreatedAt", ts], ["Email", s], ["IPAddress", s], ["PurposeJustificationPrompt", s],
      ["PurposeJustificationResponse", s], ["RayID", s], ["TemporaryAccessApprovers", "VARCHAR[]"],
      ["TemporaryAccessDuration", i], ["UserUID", s],
    ],
    key: ["RayID"],
    time: "CreatedAt",
    signature: ["RayID", "AppDomain", "AppUUID", "Allowed", "CreatedAt", "Connection"],
  },
  ssh_logs: {
    name: "ssh_logs",
    fields: [
      ["AccountID", s], ["ClientAddress", s], ["Datetime", ts], ["Error", s], ["PTY", s], ["Payload", s],
      ["ProgramFinishDatetime", ts], ["ProgramID", s], ["ProgramStartDatetime", ts], ["ProgramType", s],
      ["ServerAddress", s], ["SessionFinishDatetime", ts], ["SessionID", s], ["SessionStartDatetime", ts],
      ["TargetID", s], ["UserEmail", s], ["UserID", s], ["Username", s],
    ],
    key: ["SessionID", "ProgramID"],
    time: "Datetime",
    signature: ["ProgramID", "ProgramType", "TargetID", "Payload", "SessionStartDatetime", "Username", "PTY", "ClientAddress"],
  },
  zero_trust_network_sessions: {
    name: "zero_trust_network_sessions",
    fields: [
      ["AccountID", s], ["BytesReceived", i], ["BytesSent", i], ["ClientTCPHandshakeDurationMs", i],
      ["ClientTLSCipher", s], ["ClientTLSHandshakeDurationMs", i], ["ClientTLSVersion", s],
      ["ConnectionCloseReason", s], ["ConnectionReuse", b], ["DestinationIP", s], ["DestinationPort", i],
      ["DestinationTunnelID", s], ["DetectedProtocol", s], ["DeviceID", s], ["DeviceName", s],
      ["EgressColoName", s], ["EgressIP", s], ["EgressPort", i], ["EgressRuleID", s], ["EgressRuleName", s],
      ["Email", s], ["IngressColoName", s], ["Offramp", s], ["OriginIP", s], ["OriginPort", i],
      ["OriginTLSCertificateIssuer", s], ["OriginTLSCertificateValidationResult", s], ["OriginTLSCipher", s],
      ["OriginTLSHandshakeDurationMs", i], ["OriginTLSVersion", s], ["Protocol", s],
      ["RuleEvaluationDurationMs", i], ["SessionEndTime", ts], ["SessionID", s], ["SessionStartTime", ts],
      ["SourceIP", s], ["SourceInternalIP", s], ["SourcePort", i], ["Transport", s], ["UserID", s],
      ["VirtualNetworkID", s],
    ],
    key: ["SessionID"],
    time: "SessionStartTime",
    signature: ["BytesReceived", "BytesSent", "SessionStartTime", "SessionEndTime", "DetectedProtocol", "ConnectionCloseReason"],
  },
};

/** The dataset names, in the order they are ingested and listed. */
export const DATASET_NAMES = Object.keys(DATASETS) as DatasetName[];

/**
 * The dataset a parsed Logpush record belongs to, judged by its field names, or null when it
 * matches none well enough (at least three signature fields, and more than any other dataset).
 *
 * @example datasetOfRecord({ RayID: "x", AppDomain: "a", Allowed: false })  // "access_requests"
 */
export function datasetOfRecord(rec: Record<string, unknown>): DatasetName | null {
  let best: DatasetName | null = null;
  let bestScore = 2;
  let tie = false;
  for (const d of DATASET_NAMES) {
    const score = DATASETS[d].signature.filter((f) => f in rec).length;
    if (score > bestScore) { best = d; bestScore = score; tie = false; } else if (score === bestScore && best !== null) tie = true;
  }
  return tie ? null : best;
}

const KNOWN_FIELDS = Object.fromEntries(DATASET_NAMES.map((d) => [d, new Set(DATASETS[d].fields.map(([n]) => n))])) as Record<DatasetName, Set<string>>;

/** Fields of `rec` that the dataset does not define (kept in the `_extra` column). */
export function unknownFields(d: DatasetName, rec: Record<string, unknown>): string[] {
  const known = KNOWN_FIELDS[d];
  return Object.keys(rec).filter((k) => !known.has(k));
}
