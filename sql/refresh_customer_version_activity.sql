-- Add the events in [:since, :until) to each customer's activity per platform and app version: first
-- activity, first error and error count. Rows already there cover only events before :since.
-- Binds: :since, :until
INSERT INTO customer_version_activity (platform, app_version, customer_id, first_active_at, first_error_at, error_events)
SELECT platform, app_version, customer_id,
       MIN(occurred_at),
       MIN(CASE WHEN signature_id IS NOT NULL THEN occurred_at END),
       SUM(CASE WHEN signature_id IS NOT NULL THEN 1 ELSE 0 END)
FROM events
WHERE occurred_at >= :since AND occurred_at < :until AND platform IS NOT NULL AND app_version IS NOT NULL
GROUP BY platform, app_version, customer_id
ON CONFLICT (platform, app_version, customer_id) DO UPDATE SET
    first_active_at = CASE WHEN excluded.first_active_at < customer_version_activity.first_active_at
                           THEN excluded.first_active_at ELSE customer_version_activity.first_active_at END,
    first_error_at = CASE WHEN customer_version_activity.first_error_at IS NULL
                               OR excluded.first_error_at < customer_version_activity.first_error_at
                          THEN excluded.first_error_at ELSE customer_version_activity.first_error_at END,
    error_events = customer_version_activity.error_events + excluded.error_events
