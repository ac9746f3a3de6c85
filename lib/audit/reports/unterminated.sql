-- title: Unterminated sessions: no exit record, or a capture cut or altered
-- controls: PCI DSS 4.0 10.3.2, 10.7.2 (3.2.1: 10.5.2, 10.8) audit logs protected from modification, failures of logging detected; SOC 2 CC7.2
-- about: Sessions whose recording has no termination record (the program's end was never written), whose capture does not authenticate to its end (cut, or altered from some block on), or whose Logpush rows have no end time (neither SessionFinishDatetime nor ProgramFinishDatetime). --user matches the email or the unix user, --target the TargetID.
SELECT
  s.started_at,
  s.user_email AS "user",
  s.target_id AS target,
  s.username AS unix_user,
  CASE
    WHEN NOT s.complete THEN 'capture damaged: ' || coalesce(r.damage, 'it does not authenticate to its end')
    WHEN s.source = 'recording' OR s.recording_id IS NOT NULL AND NOT r.has_exit THEN 'no exit record'
    ELSE 'no end time in Logpush (SessionFinishDatetime or ProgramFinishDatetime)'
  END AS reason,
  s.session_id,
  s.recording_path,
  s.source
FROM sessions s LEFT JOIN recordings r ON r.recording_id = s.recording_id
WHERE (NOT s.terminated OR NOT s.complete)
  AND ssh_log_within(s.started_at, $since::TIMESTAMPTZ, $until::TIMESTAMPTZ)
  AND ssh_log_user(s.user_email, s.username, $user::VARCHAR)
  AND ssh_log_match(s.target_id, $target::VARCHAR)
ORDER BY s.started_at, s.session_id
