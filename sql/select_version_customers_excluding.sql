-- Per platform, version and customer: first activity, and first error and error count before :as_of
-- leaving out the signatures in :excluded (errors another incident already explains; an expanding list).
-- Only the versions in :judged (see select_version_customers), none of them seen before :first_judged,
-- which bounds the scan of error events. Every signature id of an event is in `signatures` (ingest writes
-- both); naming them lets the planner read the error events through the signature index instead of every
-- event before :as_of.
-- Binds: :excluded, :as_of, :judged, :first_judged
WITH errors AS (
    SELECT platform, app_version, customer_id, MIN(occurred_at) AS first_error_at, COUNT(*) AS error_events
    FROM events
    WHERE signature_id IN (SELECT signature_id FROM signatures) AND signature_id NOT IN :excluded
      AND occurred_at >= :first_judged AND occurred_at < :as_of
      AND platform || '|' || app_version IN :judged
    GROUP BY platform, app_version, customer_id
)
SELECT a.platform, a.app_version, a.customer_id, a.first_active_at, e.first_error_at,
       COALESCE(e.error_events, 0) AS error_events
FROM customer_version_activity a
LEFT JOIN errors e
  ON e.platform = a.platform AND e.app_version = a.app_version AND e.customer_id = a.customer_id
WHERE a.platform || '|' || a.app_version IN :judged
