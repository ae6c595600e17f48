-- Report: how many pain points a person muted (hidden from the lists, still counted here).
-- Params: none
SELECT COUNT(*) AS muted FROM pain_points WHERE muted AND status = 'active'
