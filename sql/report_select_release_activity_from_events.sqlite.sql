-- Report: the same figures as report_select_release_activity, computed from raw events (used only
-- when version_activity_daily is empty). SQLite has no DATE type: date() truncates to the day.
-- Params: :start (timestamp, inclusive), :end (timestamp, exclusive)
SELECT platform, app_version,
       COUNT(*) AS active_customer_days,
       SUM(errors) AS error_events,
       SUM(CASE WHEN errors > 0 THEN 1 ELSE 0 END) AS erroring_customer_days
FROM (
    SELECT date(occurred_at) AS day, customer_id,
           COALESCE(platform, 'unknown') AS platform, COALESCE(app_version, 'unknown') AS app_version,
           SUM(CASE WHEN signature_id IS NOT NULL OR name IN ('error', 'crash') THEN 1 ELSE 0 END) AS errors
    FROM events
    WHERE occurred_at >= :start AND occurred_at < :end
    GROUP BY date(occurred_at), customer_id, COALESCE(platform, 'unknown'), COALESCE(app_version, 'unknown')
) per_customer_day
GROUP BY platform, app_version
