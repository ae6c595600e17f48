-- How many active pain points a person muted: the report hides them from its lists and counts them here; detect says so.
-- Params: none
SELECT COUNT(*) AS muted FROM pain_points WHERE muted AND status = 'active'
