-- Per platform, version and customer: first activity, first error and error count (the aggregate
-- holds exactly the events before the as-of of its last refresh, which detect brings to its as-of).
SELECT platform, app_version, customer_id, first_active_at, first_error_at, error_events
FROM customer_version_activity
