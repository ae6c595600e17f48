-- Per platform, version and customer: first activity, first error and error count before :as_of
-- (exact distinct counts and the affected customers of a release regression).
-- Binds: :as_of
SELECT platform, app_version, customer_id,
       MIN(occurred_at) AS first_active_at,
       MIN(CASE WHEN signature_id IS NOT NULL THEN occurred_at END) AS first_error_at,
       SUM(CASE WHEN signature_id IS NOT NULL THEN 1 ELSE 0 END) AS error_events
FROM events
WHERE occurred_at < :as_of AND platform IS NOT NULL AND app_version IS NOT NULL
GROUP BY platform, app_version, customer_id
