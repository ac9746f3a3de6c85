/**
 * Which typed commands deserve an auditor's eye first: the project's risky-command patterns
 * (lib/audit/risky-patterns.ts, the same list the risky-commands report uses), compiled once.
 */
import { DEFAULT_RISKY_PATTERNS } from "../../lib/audit/risky-patterns.js";

// RE2 and JavaScript read these patterns the same way (no look-around, no back-references).
const COMPILED = DEFAULT_RISKY_PATTERNS.map((p) => new RegExp(p.pattern));

/**
 * True when a command matches one of the risky patterns.
 *
 * @example isRisky("sudo rm -rf /var/www") // true
 */
export function isRisky(command: string): boolean {
  return COMPILED.some((re) => re.test(command));
}
