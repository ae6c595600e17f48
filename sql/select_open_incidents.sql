-- Incidents still open that started after :since, to merge a new finding into the one it continues.
-- Binds: :since
SELECT incident_id, kind, signature_id, platform, app_version, started_at
FROM incidents WHERE started_at >= :since
