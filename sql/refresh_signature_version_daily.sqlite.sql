-- Count the distinct customers a day who hit each error signature on each platform and app version,
-- for events in [:since, :until), :since being a day start; the basis of the per-signature release test.
-- Binds: :since, :until
INSERT INTO signature_version_daily (day, platform, app_version, signature_id, erroring_customers)
SELECT substr(occurred_hour, 1, 10) || ' 00:00:00', platform, app_version, signature_id, COUNT(DISTINCT customer_id)
FROM events
WHERE signature_id IS NOT NULL AND occurred_at >= :since AND occurred_at < :until
  AND platform IS NOT NULL AND app_version IS NOT NULL
GROUP BY substr(occurred_hour, 1, 10), platform, app_version, signature_id
