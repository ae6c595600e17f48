-- Forget one pain point's incident links at once (a person muted it: no campaign is named after or cites it;
-- the next run's links leave it out as well).
-- Params: :pain_point_id
DELETE FROM pain_point_incidents WHERE pain_point_id = :pain_point_id
