-- Per day, platform and app version: error events and erroring customers before :as_of, leaving out
-- the signatures in :excluded (errors another incident already explains). :excluded is an expanding list.
-- Every signature id of an event is in `signatures` (ingest writes both); naming them lets the
-- planner read the error events through the signature index instead of every event before :as_of.
-- Only events from :errors_since: the release test reads these counts only for the days of the releases it
-- judges and their baselines (pipeline/detect/regressions.py); earlier days keep the aggregate's counts.
-- Binds: :excluded, :as_of, :errors_since
SELECT substr(occurred_hour, 1, 10) || ' 00:00:00' AS day, platform, app_version,
       COUNT(*) AS error_events, COUNT(DISTINCT customer_id) AS erroring_customers
FROM events
WHERE signature_id IN (SELECT signature_id FROM signatures) AND signature_id NOT IN :excluded
  AND occurred_at >= :errors_since AND occurred_at < :as_of AND platform IS NOT NULL AND app_version IS NOT NULL
GROUP BY substr(occurred_hour, 1, 10), platform, app_version
