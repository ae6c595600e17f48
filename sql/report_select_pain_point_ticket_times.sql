-- Report: creation time of each ticket assigned to a pain point within a window, to draw a trend
-- when the detector stored none.
-- Params: :start (timestamp, inclusive), :end (timestamp, exclusive)
SELECT tp.pain_point_id, t.created_at
FROM ticket_pain_points tp
JOIN tickets t ON t.ticket_id = tp.ticket_id
WHERE t.created_at >= :start AND t.created_at < :end
