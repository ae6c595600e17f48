-- Active customer-days of one platform and app version in [:since, :until): the exposure that
-- per-signature error counts of that version are divided by.
-- Binds: :platform, :app_version, :since, :until
-- Platforms compare trimmed and in any case: the release test keys "android" where an SDK writes "Android".
SELECT COALESCE(SUM(active_customers), 0) AS active_days
FROM version_activity_daily
WHERE LOWER(TRIM(platform)) = LOWER(TRIM(CAST(:platform AS VARCHAR(64)))) AND app_version = :app_version AND day >= :since AND day < :until
