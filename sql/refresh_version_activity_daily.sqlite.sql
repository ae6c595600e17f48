-- Count daily activity per platform and app version (active customers, error events, erroring
-- customers) for events in [:since, :until), :since being a day start; the basis of release-regression detection.
-- Binds: :since, :until
INSERT INTO version_activity_daily (day, platform, app_version, active_customers, error_events, erroring_customers)
SELECT substr(occurred_hour, 1, 10) || ' 00:00:00', platform, app_version,
       COUNT(DISTINCT customer_id),
       SUM(CASE WHEN signature_id IS NOT NULL THEN 1 ELSE 0 END),
       COUNT(DISTINCT CASE WHEN signature_id IS NOT NULL THEN customer_id END)
FROM events
WHERE occurred_at >= :since AND occurred_at < :until AND platform IS NOT NULL AND app_version IS NOT NULL
GROUP BY substr(occurred_hour, 1, 10), platform, app_version
