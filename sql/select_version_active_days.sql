-- Active customer-days of one platform and app version in [:since, :until): the exposure that
-- per-signature error counts of that version are divided by.
-- Binds: :platform, :app_version, :since, :until
SELECT COALESCE(SUM(active_customers), 0) AS active_days
FROM version_activity_daily
WHERE platform = :platform AND app_version = :app_version AND day >= :since AND day < :until
