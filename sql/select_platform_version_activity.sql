-- Active customers per app version of one platform, summed over the days in [:since, :as_of): how far a
-- release had rolled out while an incident ran (a customer counts once per day). :platform is lowercased.
-- Binds: :platform, :since, :as_of
SELECT platform, app_version, SUM(active_customers) AS active_customers
FROM version_activity_daily
WHERE LOWER(TRIM(platform)) = :platform AND day >= :since AND day < :as_of
GROUP BY platform, app_version
