-- Record an incident (a rerun updates what it is about, counts, severity and evidence in place; the
-- start, the evidence time and the detection time stay the earliest seen, so detected_at is the as-of of
-- the first run that found it and a rerun of any as-of leaves them as they were). A version learnt in a
-- later run (a spike found to sit on one release) is kept; one known stays.
-- Binds: :incident_id, :kind, :signature_id, :name, :error_code, :feature, :platform, :app_version,
--        :message_pattern, :started_at, :evidence_at, :detected_at, :customer_count, :event_count, :mrr_at_risk, :severity, :evidence
INSERT INTO incidents (incident_id, kind, signature_id, name, error_code, feature, platform, app_version,
                       message_pattern, started_at, evidence_at, detected_at, customer_count, event_count, mrr_at_risk, severity,
                       evidence, status)
VALUES (:incident_id, :kind, :signature_id, :name, :error_code, :feature, :platform, :app_version,
        :message_pattern, :started_at, :evidence_at, :detected_at, :customer_count, :event_count, :mrr_at_risk, :severity,
        :evidence, 'open')
ON CONFLICT (incident_id) DO UPDATE SET
    started_at = CASE WHEN excluded.started_at < incidents.started_at THEN excluded.started_at ELSE incidents.started_at END,
    evidence_at = CASE WHEN incidents.evidence_at IS NULL OR excluded.evidence_at < incidents.evidence_at
                       THEN excluded.evidence_at ELSE incidents.evidence_at END,
    detected_at = CASE WHEN excluded.detected_at < incidents.detected_at THEN excluded.detected_at ELSE incidents.detected_at END,
    platform = excluded.platform,
    app_version = COALESCE(incidents.app_version, excluded.app_version),
    customer_count = excluded.customer_count,
    event_count = excluded.event_count,
    mrr_at_risk = excluded.mrr_at_risk,
    severity = excluded.severity,
    evidence = excluded.evidence
