-- The links between pain points and incidents of the latest detection run.
SELECT pain_point_id, incident_id, lift, q_value, strength
FROM pain_point_incidents
ORDER BY pain_point_id, incident_id
