-- Per day, platform and app version: error events and erroring customers before :as_of, leaving out
-- the signatures in :excluded (errors another incident already explains). :excluded is an expanding list.
-- Binds: :excluded, :as_of
SELECT substr(occurred_hour, 1, 10) || ' 00:00:00' AS day, platform, app_version,
       COUNT(*) AS error_events, COUNT(DISTINCT customer_id) AS erroring_customers
FROM events
WHERE signature_id IS NOT NULL AND signature_id NOT IN :excluded
  AND occurred_at < :as_of AND platform IS NOT NULL AND app_version IS NOT NULL
GROUP BY substr(occurred_hour, 1, 10), platform, app_version
