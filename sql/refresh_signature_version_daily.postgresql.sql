-- Count the distinct customers a day who hit each error signature on each platform and app version,
-- for events in [:since, :until), :since being a day start; the basis of the per-signature release test.
-- Binds: :since, :until
INSERT INTO signature_version_daily (day, platform, app_version, signature_id, erroring_customers)
SELECT date_trunc('day', occurred_hour), platform, app_version, signature_id, COUNT(DISTINCT customer_id)
FROM events
WHERE signature_id IS NOT NULL AND occurred_at >= :since AND occurred_at < :until
  AND platform IS NOT NULL AND app_version IS NOT NULL
GROUP BY date_trunc('day', occurred_hour), platform, app_version, signature_id
