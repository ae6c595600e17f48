-- Report: pain points a run named otherwise than the run before (their tickets' words changed), newest first.
-- A run as of the period's start read the period before it, so the period's runs are those after its start
-- up to its end.
-- Params: :start, :end, :limit
SELECT h.pain_point_id, h.as_of, h.detail
FROM pain_point_history h
WHERE h.event = 'relabelled' AND h.as_of > :start AND h.as_of <= :end
ORDER BY h.as_of DESC, h.history_id DESC
LIMIT :limit
