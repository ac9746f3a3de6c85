/**
 * The command patterns the risky-commands report looks for: RE2 regular expressions (DuckDB's
 * `regexp_matches`), each with a name and the reason it matters. Replace the list with
 * `--patterns FILE` (one `name<TAB or spaces>regex` per line; `#` starts a comment).
 *
 * @example DEFAULT_RISKY_PATTERNS.find((p) => p.name === "rm-rf")?.pattern
 */
import { readFile } from "node:fs/promises";
import { UsageError, fsError } from "../errors.js";

export interface RiskyPattern {
  name: string;
  pattern: string;
  why: string;
  /** For a pattern read from a file: that file, and the line (from 1), to name in an error. */
  file?: string;
  line?: number;
}

/** The built-in list, documented in the README. */
export const DEFAULT_RISKY_PATTERNS: RiskyPattern[] = [
  { name: "rm-rf", pattern: String.raw`\brm\s+(-{1,2}[\w-]+\s+)*-[a-zA-Z]*([rR][a-zA-Z]*f|f[a-zA-Z]*[rR])|\brm\b.*(--recursive.*(--force|\s-f\b)|--force.*(--recursive|\s-[rR]\b)|\s-[rR]\s+-f\b|\s-f\s+-[rR]\b)`, why: "recursive forced delete" },
  { name: "chmod-777", pattern: String.raw`\bchmod\s+(-\w+\s+)*(0?777|a\+rwx|ugo\+rwx)\b`, why: "world-writable permissions" },
  { name: "pipe-to-shell", pattern: String.raw`\b(curl|wget|fetch)\b[^|]*\|\s*(sudo\s+)?(ba|z|da|k|fi)?sh\b`, why: "runs code downloaded from the network" },
  { name: "history-tampering", pattern: String.raw`\bhistory\s+-[cw]\b|\bunset\s+HISTFILE\b|\bHISTFILE=/dev/null|\bHISTSIZE=0\b|\bset\s+\+o\s+history\b`, why: "hides what was typed" },
  { name: "log-tampering", pattern: String.raw`(^|[;&|]\s*|\s)(:?\s*>|truncate\s+-s\s*0|shred|rm\s+(-\w+\s+)*)\s*/var/log/|\bjournalctl\s+.*--vacuum|\bauditctl\s+-D\b`, why: "removes or empties audit evidence" },
  { name: "disable-security", pattern: String.raw`\bsetenforce\s+0\b|\bufw\s+disable\b|\biptables\s+-F\b|\bsystemctl\s+(stop|disable|mask)\s+(auditd|firewalld|apparmor|ufw|falco)\b|\bservice\s+auditd\s+stop\b`, why: "turns off a security control" },
  { name: "account-change", pattern: String.raw`(^|[;&|(]\s*|\bsudo\s+(-\S+\s+)*)(useradd|adduser|usermod|userdel|deluser|groupadd|visudo|chpasswd|passwd)\b`, why: "creates or changes accounts, passwords or sudo rights" },
  { name: "ssh-keys", pattern: String.raw`authorized_keys|\bssh-keygen\b.*-f\s+/(root|home)/`, why: "changes who can log in" },
  { name: "disk-wipe", pattern: String.raw`\bdd\b.*\bof=/dev/|\bmkfs(\.\w+)?\b|\bwipefs\b`, why: "overwrites a disk or filesystem" },
  { name: "reverse-shell", pattern: String.raw`/dev/tcp/|\b(nc|ncat|netcat)\b.*\s-[a-z]*e\s|\bsocat\b.*exec:`, why: "opens a shell to a remote host" },
];

/**
 * Reads a pattern file: one `name  regex` per line (name, then a tab or spaces, then the RE2
 * expression); blank lines and `#` comments are skipped.
 *
 * @example await readPatternsFile("risky.txt")  // [{ name: "rm-rf", pattern: "rm\\s+-rf", why: "", file: "risky.txt", line: 1 }]
 */
export async function readPatternsFile(path: string): Promise<RiskyPattern[]> {
  let text: string;
  try { text = await readFile(path, "utf8"); } catch (err) { throw fsError(err, path, "pattern file"); }
  const out: RiskyPattern[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const m = /^(\S+)\s+(.+)$/.exec(line);
    if (!m) throw new UsageError(`${path} line ${i + 1} is not "name regex"; put a name, then a tab or spaces, then the regular expression.`, { file: path });
    out.push({ name: m[1]!, pattern: m[2]!, why: "", file: path, line: i + 1 });
  });
  if (out.length === 0) throw new UsageError(`${path} holds no patterns; add lines of "name regex".`, { file: path });
  return out;
}
