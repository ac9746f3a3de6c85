-- title: Privileged sessions: logged in as root, or raised privileges with sudo, su, doas or pkexec
-- controls: PCI DSS 4.0 10.2.1.2 (3.2.1: 10.2.2) all actions by anyone with administrative access; SOC 2 CC6.1, CC6.3
-- about: One row per SSH session whose unix user is root or in which a command ran sudo, su, doas or pkexec, with the elevating commands. --user matches the email or the unix user, --target the TargetID.
WITH s AS (
  SELECT * FROM sessions
  WHERE ssh_log_within(started_at, $since::TIMESTAMPTZ, $until::TIMESTAMPTZ)
    AND ssh_log_user(user_email, username, $user::VARCHAR)
    AND ssh_log_match(target_id, $target::VARCHAR)
), elevated AS (
  SELECT session_id, count(*) AS elevations, string_agg(DISTINCT command, ' ; ' ORDER BY command) AS elevating_commands
  FROM commands
  WHERE regexp_matches(command, '(^|[;&|(]\s*|\s)(sudo|su|doas|pkexec)(\s|$)')
  GROUP BY session_id
)
SELECT
  s.started_at,
  s.user_email AS "user",
  s.target_id AS target,
  s.username AS unix_user,
  CASE
    WHEN list_contains(string_split(s.username, ','), 'root') AND e.session_id IS NOT NULL THEN 'root login and elevation'
    WHEN list_contains(string_split(s.username, ','), 'root') THEN 'root login'
    ELSE 'elevation'
  END AS reason,
  coalesce(e.elevations, 0) AS elevations,
  e.elevating_commands,
  s.session_id,
  s.source
FROM s LEFT JOIN elevated e ON e.session_id = s.session_id
WHERE list_contains(string_split(s.username, ','), 'root') OR e.session_id IS NOT NULL
ORDER BY s.started_at, s.session_id
