-- title: User activity: per user, logins, denials, SSH sessions, commands and bytes moved
-- controls: PCI DSS 4.0 10.2.1, 10.4.1 (3.2.1: 10.2.1, 10.6.1) individual user access, reviewed; SOC 2 CC6.1, CC7.2
-- about: One row per user (email): allowed logins and denied requests (access_requests), SSH sessions and targets (sessions), commands (commands), and bytes sent and received (zero_trust_network_sessions). Activity not tied to an email is shown as "(unknown)". --target restricts every count to that target.
WITH a AS (
  SELECT Email AS u,
    count(*) FILTER (WHERE Action = 'login' AND Allowed IS TRUE) AS logins,
    count(*) FILTER (WHERE Allowed IS FALSE) AS denials
  FROM access_requests
  WHERE ssh_log_within(CreatedAt, $since::TIMESTAMPTZ, $until::TIMESTAMPTZ)
    AND ssh_log_match(AppDomain, $target::VARCHAR)
  GROUP BY 1
), s AS (
  SELECT user_email AS u, count(*) AS sessions, count(DISTINCT target_id) AS targets
  FROM sessions
  WHERE ssh_log_within(started_at, $since::TIMESTAMPTZ, $until::TIMESTAMPTZ)
    AND ssh_log_match(target_id, $target::VARCHAR)
  GROUP BY 1
), c AS (
  SELECT user_email AS u, count(*) AS commands
  FROM commands
  WHERE ssh_log_within(ts, $since::TIMESTAMPTZ, $until::TIMESTAMPTZ)
    AND ssh_log_match(target_id, $target::VARCHAR)
  GROUP BY 1
), b AS (
  SELECT Email AS u, sum(BytesSent) AS bytes_sent, sum(BytesReceived) AS bytes_received
  FROM zero_trust_network_sessions
  WHERE ssh_log_within(SessionStartTime, $since::TIMESTAMPTZ, $until::TIMESTAMPTZ)
    AND ($target::VARCHAR IS NULL OR SessionID IN (SELECT SessionID FROM ssh_logs WHERE ssh_log_match(TargetID, $target::VARCHAR)))
  GROUP BY 1
), users AS (
  SELECT u FROM a UNION SELECT u FROM s UNION SELECT u FROM c UNION SELECT u FROM b
)
SELECT
  coalesce(users.u, '(unknown)') AS "user",
  coalesce(a.logins, 0) AS logins,
  coalesce(a.denials, 0) AS denials,
  coalesce(s.sessions, 0) AS sessions,
  coalesce(s.targets, 0) AS targets,
  coalesce(c.commands, 0) AS commands,
  coalesce(b.bytes_sent, 0) AS bytes_sent,
  coalesce(b.bytes_received, 0) AS bytes_received
FROM users
LEFT JOIN a ON a.u IS NOT DISTINCT FROM users.u
LEFT JOIN s ON s.u IS NOT DISTINCT FROM users.u
LEFT JOIN c ON c.u IS NOT DISTINCT FROM users.u
LEFT JOIN b ON b.u IS NOT DISTINCT FROM users.u
WHERE ssh_log_match(users.u, $user::VARCHAR)
ORDER BY users.u NULLS LAST
