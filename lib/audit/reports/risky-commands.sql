-- title: Risky commands: rm -rf, chmod 777, curl | sh, history -c and the rest of the pattern list
-- controls: PCI DSS 4.0 10.2.1.2, 10.2.1.7 (3.2.1: 10.2.2, 10.2.7) administrative actions and removal of system-level objects; SOC 2 CC7.2, CC7.3
-- about: One row per command and matching pattern (see "Risky command patterns" in the README; replace the list with --patterns FILE), with who, where, when, and the offset in seconds to jump to in the replay. --user matches the email or the unix user, --target the TargetID.
SELECT
  c.ts AS time,
  c.user_email AS "user",
  c.target_id AS target,
  c.username AS unix_user,
  p.name AS pattern,
  c.command,
  c.session_id,
  round(c.offset_s, 3) AS offset_s,
  c.source
FROM commands c
JOIN risky_patterns p ON regexp_matches(c.command, p.pattern)
WHERE ($since::TIMESTAMPTZ IS NULL OR c.ts >= $since::TIMESTAMPTZ)
  AND ($until::TIMESTAMPTZ IS NULL OR c.ts < $until::TIMESTAMPTZ)
  AND (ssh_log_match(c.user_email, $user::VARCHAR) OR ssh_log_match(c.username, $user::VARCHAR))
  AND ssh_log_match(c.target_id, $target::VARCHAR)
ORDER BY c.ts, c.session_id, c.offset_s, p.name
