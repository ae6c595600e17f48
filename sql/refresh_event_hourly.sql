-- Count hourly errors per signature, platform and version for events in [:since, :until).
-- Binds: :since, :until
INSERT INTO event_hourly (hour, signature_id, platform, app_version, event_count, customer_count)
SELECT occurred_hour, signature_id, COALESCE(platform, ''), COALESCE(app_version, ''),
       COUNT(*), COUNT(DISTINCT customer_id)
FROM events
WHERE signature_id IS NOT NULL AND occurred_at >= :since AND occurred_at < :until
GROUP BY occurred_hour, signature_id, COALESCE(platform, ''), COALESCE(app_version, '')
