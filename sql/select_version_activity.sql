-- Daily activity per platform and version before :as_of, for release-regression detection.
-- Binds: :as_of
SELECT day, platform, app_version, active_customers, error_events, erroring_customers
FROM version_activity_daily WHERE day < :as_of
