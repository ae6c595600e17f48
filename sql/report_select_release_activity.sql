-- Report: activity and errors per platform and app version over the period, from the daily aggregate.
-- Customer counts are summed over days: active_customer_days is the denominator of the error rate.
-- Params: :start (timestamp, inclusive), :end (timestamp, exclusive)
SELECT platform, app_version,
       SUM(active_customers) AS active_customer_days,
       SUM(error_events) AS error_events,
       SUM(erroring_customers) AS erroring_customer_days
FROM version_activity_daily
WHERE day >= :start AND day < :end
GROUP BY platform, app_version
