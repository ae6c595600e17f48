-- Purpose: every incident with what its owner's notice shows, and the label of its most strongly linked
--   pain point (NULL when none); the caller keeps the ones a run opened. Oldest start first.
-- Params: none
SELECT i.incident_id, i.kind, i.name, i.error_code, i.feature, i.platform, i.app_version,
       i.started_at, i.detected_at, i.customer_count, i.event_count, i.mrr_at_risk, i.severity,
       (SELECT pp.label
        FROM pain_point_incidents ppi JOIN pain_points pp ON pp.pain_point_id = ppi.pain_point_id
        WHERE ppi.incident_id = i.incident_id
        ORDER BY COALESCE(ppi.strength, -1) DESC, COALESCE(ppi.p_value, 1) ASC, ppi.pain_point_id
        LIMIT 1) AS pain_point_label
FROM incidents i
ORDER BY i.started_at, i.incident_id
