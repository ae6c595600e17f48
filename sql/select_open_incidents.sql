-- Incidents that started after :since: a new finding continues the one it is about, and they explain
-- errors away from the release-regression test; a stored spike keeps its bug's later hours from
-- starting another (its evidence hour and, in the evidence, its end).
-- Binds: :since
SELECT incident_id, kind, signature_id, name, error_code, feature, message_pattern, platform, app_version,
       started_at, evidence_at, evidence
FROM incidents
WHERE started_at >= :since
ORDER BY started_at, incident_id
