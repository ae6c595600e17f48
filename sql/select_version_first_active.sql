-- Per platform and app version: when a customer was first active on it (from the per-customer aggregate),
-- so the release test can choose which versions' customers to read.
SELECT platform, app_version, MIN(first_active_at) AS first_active_at
FROM customer_version_activity
GROUP BY platform, app_version
