-- Every incident as it stands after a detection run (what the backtest records day by day).
SELECT incident_id, kind, signature_id, name, error_code, feature, platform, app_version,
       started_at, evidence_at, detected_at, customer_count, severity
FROM incidents
ORDER BY incident_id
