-- Report: every pain point's links to incidents (signature, release), strongest first per pain point.
-- Params: none
SELECT l.pain_point_id, l.incident_id, l.lift, l.p_value, l.strength,
       i.kind, i.name, i.error_code, i.platform, i.app_version
FROM pain_point_incidents l
JOIN incidents i ON i.incident_id = l.incident_id
ORDER BY l.pain_point_id, COALESCE(l.strength, 0) DESC, COALESCE(l.p_value, 1) ASC, l.incident_id
