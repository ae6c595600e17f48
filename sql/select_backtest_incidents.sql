-- Every incident as it stands after a detection run (what the backtest records day by day), with its
-- message pattern: where events carry no error code, the message is what names the error.
SELECT incident_id, kind, signature_id, name, error_code, feature, platform, app_version,
       started_at, evidence_at, detected_at, customer_count, severity, message_pattern
FROM incidents
ORDER BY incident_id
