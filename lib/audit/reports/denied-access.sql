-- title: Denied access: who was refused, to which application, from which country
-- controls: PCI DSS 4.0 10.2.1.4 (3.2.1: 10.2.4) invalid logical access attempts; SOC 2 CC6.1, CC7.2
-- about: Access requests with Allowed = false, grouped by user, application and country, with how many, from how many IP addresses, and the first and last. --user matches Email, --target matches AppDomain.
SELECT
  Email AS "user",
  AppDomain AS app,
  Country AS country,
  count(*) AS denials,
  count(DISTINCT IPAddress) AS ip_addresses,
  min(CreatedAt) AS first_denied,
  max(CreatedAt) AS last_denied
FROM access_requests
WHERE Allowed IS FALSE
  AND ssh_log_within(CreatedAt, $since::TIMESTAMPTZ, $until::TIMESTAMPTZ)
  AND ssh_log_match(Email, $user::VARCHAR)
  AND ssh_log_match(AppDomain, $target::VARCHAR)
GROUP BY ALL
ORDER BY denials DESC, "user", app, country
