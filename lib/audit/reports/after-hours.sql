-- title: After-hours sessions: started outside working hours or on a weekend, in a chosen time zone
-- controls: SOC 2 CC7.2 (anomalies in system operation); PCI DSS 4.0 10.4.1 (3.2.1: 10.6.1) daily review of security events
-- about: Sessions that started before --start-hour or from --end-hour on (default 08 and 18), or on Saturday or Sunday (unless --weekdays-only), in --tz (an IANA zone such as Europe/Berlin; default UTC). --user matches the email or the unix user, --target the TargetID (a glob such as "*prod*" works).
WITH s AS (
  SELECT *, timezone($tz::VARCHAR, started_at) AS local_start
  FROM sessions
  WHERE started_at IS NOT NULL
    AND ssh_log_within(started_at, $since::TIMESTAMPTZ, $until::TIMESTAMPTZ)
    AND ssh_log_user(user_email, username, $user::VARCHAR)
    AND ssh_log_match(target_id, $target::VARCHAR)
)
SELECT
  strftime(local_start, '%Y-%m-%d %H:%M') AS local_time,
  dayname(local_start) AS day,
  user_email AS "user",
  target_id AS target,
  username AS unix_user,
  programs,
  (SELECT count(*) FROM commands c WHERE c.session_id = s.session_id) AS commands,
  session_id,
  source
FROM s
WHERE hour(local_start) < $start_hour::INTEGER
   OR hour(local_start) >= $end_hour::INTEGER
   OR ($weekends::BOOLEAN AND isodow(local_start) >= 6)
ORDER BY started_at, session_id
