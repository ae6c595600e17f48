-- The pain points the table shows as active (to retire those a run no longer holds, whatever registry
-- issued them: a rerun of an as-of starts from the registry before it).
-- Binds: none
SELECT pain_point_id FROM pain_points WHERE status = 'active'
