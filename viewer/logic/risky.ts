/**
 * Which typed commands deserve an auditor's eye first: destructive deletes, permission blow-ups,
 * piping the network into a shell, disk and firewall wipes, history and log tampering.
 */
const RISKY: readonly RegExp[] = [
  /\brm\s+(-[a-z]*r[a-z]*f|-[a-z]*f[a-z]*r|-r\s+-f|-f\s+-r|--recursive\s+--force|--force\s+--recursive)\b/i,
  /\bchmod\s+(-R\s+)?0?777\b/,
  /\b(curl|wget)\b[^|]*\|\s*(sudo\s+)?(ba|z|da)?sh\b/,
  /\bmkfs(\.\w+)?\b/,
  /\bdd\b.*\bof=\/dev\//,
  /\b(shred|wipefs)\b/,
  /\biptables\s+(-F|--flush)\b/,
  /\bhistory\s+-c\b/,
  /\bunset\s+HISTFILE\b/,
  /\b(userdel|passwd)\s+root\b/,
  /:\(\)\s*\{\s*:\|:&\s*\};:/,
  />\s*\/var\/log\//,
];

/**
 * True when a command matches the risky list.
 *
 * @example isRisky("sudo rm -rf /var/www") // true
 */
export function isRisky(command: string): boolean {
  return RISKY.some((re) => re.test(command));
}
