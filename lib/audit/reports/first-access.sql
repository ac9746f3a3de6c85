-- title: First access: a user on a target for the first time
-- controls: SOC 2 CC6.2, CC6.3 (access is authorised before it is granted, and reviewed); PCI DSS 4.0 7.2.4 (3.2.1: 7.1.2) review of user accounts and access privileges
-- about: For each user and target, the first SSH session ever indexed, listed when it falls within --since/--until: new access to review against approvals. --user matches the email, --target the TargetID.
WITH firsts AS (
  SELECT user_email, target_id,
    min(started_at) AS first_session,
    arg_min(session_id, started_at) AS session_id,
    arg_min(username, started_at) AS unix_user,
    count(*) AS sessions_since
  FROM sessions
  WHERE user_email IS NOT NULL AND target_id IS NOT NULL AND started_at IS NOT NULL
  GROUP BY ALL
)
SELECT first_session, user_email AS "user", target_id AS target, unix_user, sessions_since, session_id
FROM firsts
WHERE ssh_log_within(first_session, $since::TIMESTAMPTZ, $until::TIMESTAMPTZ)
  AND ssh_log_match(user_email, $user::VARCHAR)
  AND ssh_log_match(target_id, $target::VARCHAR)
ORDER BY first_session, "user", target
