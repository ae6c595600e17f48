-- Report: tickets per day of the given pain points within a window, to draw a trend where the detector
-- stored none. SQLite has no DATE type: date() truncates the stored text to the day.
-- Params: :pain_point_ids (expanding list of text), :start (timestamp, inclusive), :end (timestamp, exclusive)
SELECT tp.pain_point_id, date(t.created_at) AS day, COUNT(*) AS tickets
FROM ticket_pain_points tp
JOIN tickets t ON t.ticket_id = tp.ticket_id
WHERE tp.pain_point_id IN :pain_point_ids AND t.created_at >= :start AND t.created_at < :end
GROUP BY tp.pain_point_id, date(t.created_at)
