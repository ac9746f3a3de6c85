-- title: Risky commands: rm -rf, chmod 777, curl | sh, history -c and the rest of the pattern list
-- controls: PCI DSS 4.0 10.2.1.2, 10.2.1.7 (3.2.1: 10.2.2, 10.2.7) administrative actions and removal of system-level objects; SOC 2 CC7.2, CC7.3
-- about: One row per command and matching pattern (see "Risky command patterns" in the README; replace the list with --patterns FILE), with who, where, when, and the offset in seconds to jump to in the replay. ssh_log_risky(command) lists the names of the patterns a command matches. --user matches the email or the unix user, --target the TargetID.
WITH c AS (
  SELECT *, unnest(ssh_log_risky(command)) AS pattern
  FROM commands
  WHERE ssh_log_within(ts, $since::TIMESTAMPTZ, $until::TIMESTAMPTZ)
    AND ssh_log_user(user_email, username, $user::VARCHAR)
    AND ssh_log_match(target_id, $target::VARCHAR)
)
SELECT
  ts AS time,
  user_email AS "user",
  target_id AS target,
  username AS unix_user,
  pattern,
  command,
  session_id,
  round(offset_s, 3) AS offset_s,
  source
FROM c
ORDER BY ts, session_id, offset_s, pattern
