/**
 * Which typed commands deserve an auditor's eye first: destructive deletes, permission blow-ups,
 * piping the network into a shell, disk and firewall wipes, history and log tampering.
 */
/** The patterns, also compiled into SQL (RE2 reads them the same) by the audit source. */
export const RISKY_PATTERNS: readonly RegExp[] = [
  /\brm\s+(-[a-z]*r[a-z]*f|-[a-z]*f[a-z]*r|-r\s+-f|-f\s+-r|--recursive\s+--force|--force\s+--recursive)\b/i,
  /\bchmod\s+(-R\s+)?0?777\b/i,
  /\b(curl|wget)\b[^|]*\|\s*(sudo\s+)?(ba|z|da)?sh\b/i,
  /\bmkfs(\.\w+)?\b/i,
  /\bdd\b.*\bof=\/dev\//i,
  /\b(shred|wipefs)\b/i,
  /\biptables\s+(-F|--flush)\b/i,
  /\bhistory\s+-c\b/i,
  /\bunset\s+HISTFILE\b/i,
  /\b(userdel|passwd)\s+root\b/i,
  /:\(\)\s*\{\s*:\|:&\s*\};:/i,
  />\s*\/var\/log\//i,
];

/**
 * True when a command matches the risky list.
 *
 * @example isRisky("sudo rm -rf /var/www") // true
 */
export function isRisky(command: string): boolean {
  return RISKY_PATTERNS.some((re) => re.test(command));
}
