-- Per platform, version and customer: first activity, first error and error count (the aggregate
-- holds exactly the events before the as-of of its last refresh, which detect brings to its as-of).
-- Only the versions in :judged (platform || '|' || app_version; an expanding list): the release test
-- chooses those it can still judge or must still report (pipeline/detect/regressions.py), so an
-- install's every past version is not read every hour.
-- Binds: :judged
SELECT platform, app_version, customer_id, first_active_at, first_error_at, error_events
FROM customer_version_activity
WHERE platform || '|' || app_version IN :judged
