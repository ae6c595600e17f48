-- Clear the daily per-version activity from :since on, before those days are recounted.
-- Binds: :since
DELETE FROM version_activity_daily WHERE day >= :since
