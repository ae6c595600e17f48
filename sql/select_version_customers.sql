-- Per platform, version and customer: first activity, first error and error count (the aggregate
-- holds exactly the events before the as-of of its last refresh, which detect brings to its as-of).
-- Only versions first seen at or after :versions_since: older ones can no longer be judged as a new
-- release, and without the bound an install's every past version would be read every hour.
-- Binds: :versions_since
SELECT platform, app_version, customer_id, first_active_at, first_error_at, error_events
FROM customer_version_activity
WHERE (platform, app_version) IN (
    SELECT platform, app_version FROM customer_version_activity
    GROUP BY platform, app_version HAVING MIN(first_active_at) >= :versions_since
)
