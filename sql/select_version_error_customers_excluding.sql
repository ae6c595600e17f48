-- Per platform, app version and customer: first error and error count before :as_of, leaving out the
-- signatures in :excluded (errors another incident already explains). :excluded is an expanding list.
-- Every signature id of an event is in `signatures` (ingest writes both); naming them lets the
-- planner read the error events through the signature index instead of every event before :as_of.
-- Binds: :excluded, :as_of
SELECT platform, app_version, customer_id, MIN(occurred_at) AS first_error_at, COUNT(*) AS error_events
FROM events
WHERE signature_id IN (SELECT signature_id FROM signatures) AND signature_id NOT IN :excluded
  AND occurred_at < :as_of AND platform IS NOT NULL AND app_version IS NOT NULL
GROUP BY platform, app_version, customer_id
