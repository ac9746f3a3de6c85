import { describe, expect, it } from "vitest";
import { formatIngestSummary } from "../../lib/audit/ingest-summary.js";
import type { IngestSummary } from "../../lib/audit/ingest.js";
import { blocksAndPackets, plural } from "../../lib/text.js";

describe("the counts in printed sentences", () => {
  it("says one block, one packet, one row: singular for exactly one", () => {
    expect(plural(0, "file")).toBe("0 files");
    expect(plural(1, "file")).toBe("1 file");
    expect(plural(2, "entry", "entries")).toBe("2 entries");
    expect(blocksAndPackets({ blocks: 1, events: 1 })).toBe("1 block, 1 packet");
    expect(blocksAndPackets({ blocks: 2010, events: 25 })).toBe("2010 blocks, 25 packets");
  });

  it("the index summary: '1 row added' beside '40000 rows added'", () => {
    const s: IngestSummary = {
      ingestId: 1, files: 2, ingested: 2, alreadyIndexed: 0, rows: { ssh_logs: 40000, recordings: 1 },
      duplicates: 0, sameRecording: [], badLines: 0, filesWithBadLines: [], badFiles: [], partial: [], skipped: [], seconds: 0.5,
    };
    const lines = formatIngestSummary(s, "x.duckdb");
    expect(lines).toContain("  ssh_logs        40000 rows added");
    expect(lines).toContain("  recordings          1 row added");
  });

  it("a bad file's line in the index summary: the sentence ends, then its code, as in every other message", () => {
    const s: IngestSummary = {
      ingestId: 1, files: 1, ingested: 1, alreadyIndexed: 0, rows: {}, duplicates: 0, sameRecording: [], badLines: 0, filesWithBadLines: [], badFiles: [], skipped: [], seconds: 0.5,
      partial: [{ path: "cut.log", why: "cut.log ends inside block 3", code: "ERR_TRUNCATED" }],
    };
    expect(formatIngestSummary(s, "x.duckdb")).toContain("  cut.log: it ends inside block 3. [ERR_TRUNCATED]");
  });
});
