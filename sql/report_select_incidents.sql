-- Report: incidents detected within the context window, oldest start first.
-- Params: :since (timestamp, start of the context window), :end (timestamp, exclusive report end)
SELECT incident_id, kind, name, error_code, feature, platform, app_version, started_at, evidence_at, detected_at,
       customer_count, event_count, mrr_at_risk, severity, evidence, status
FROM incidents
WHERE detected_at >= :since AND detected_at < :end
ORDER BY started_at, incident_id
