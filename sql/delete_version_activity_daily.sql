-- Clear the daily per-version activity before it is rebuilt.
DELETE FROM version_activity_daily
