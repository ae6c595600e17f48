-- Every incident as it stands after a detection run (what the backtest records day by day), with its
-- signature's message pattern: where events carry no error code, the message is what names the error.
SELECT i.incident_id, i.kind, i.signature_id, i.name, i.error_code, i.feature, i.platform, i.app_version,
       i.started_at, i.evidence_at, i.detected_at, i.customer_count, i.severity, s.message_pattern
FROM incidents i
LEFT JOIN signatures s ON s.signature_id = i.signature_id
ORDER BY i.incident_id
