-- Rebuild daily activity per platform and app version (active customers, error events, erroring
-- customers) from events before :until; the basis of release-regression detection.
-- Binds: :until
INSERT INTO version_activity_daily (day, platform, app_version, active_customers, error_events, erroring_customers)
SELECT substr(occurred_hour, 1, 10) || ' 00:00:00', platform, app_version,
       COUNT(DISTINCT customer_id),
       SUM(CASE WHEN signature_id IS NOT NULL THEN 1 ELSE 0 END),
       COUNT(DISTINCT CASE WHEN signature_id IS NOT NULL THEN customer_id END)
FROM events
WHERE occurred_at < :until AND platform IS NOT NULL AND app_version IS NOT NULL
GROUP BY substr(occurred_hour, 1, 10), platform, app_version
