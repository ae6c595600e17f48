-- Incidents that started after :since: a new finding continues the one it is about, and they explain
-- errors away from the release-regression test.
-- Binds: :since
SELECT incident_id, kind, signature_id, name, error_code, feature, message_pattern, platform, app_version,
       started_at
FROM incidents
WHERE started_at >= :since
ORDER BY started_at, incident_id
