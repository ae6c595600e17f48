-- Purpose: the pain point most strongly linked to an incident (strength, then p-value), with its label.
-- Params: :incident_id
SELECT ppi.pain_point_id, pp.label, ppi.lift, ppi.p_value, ppi.strength
FROM pain_point_incidents ppi
LEFT JOIN pain_points pp ON pp.pain_point_id = ppi.pain_point_id
WHERE ppi.incident_id = :incident_id
ORDER BY COALESCE(ppi.strength, -1) DESC, COALESCE(ppi.p_value, 1) ASC, ppi.pain_point_id
