-- Report: the newest redacted tickets of one pain point (used when it has no stored representatives).
-- Only the redacted columns are read: raw subject and body hold personal data.
-- Params: :pain_point_id (text), :limit (integer)
SELECT t.ticket_id, t.subject_redacted, t.body_redacted
FROM ticket_pain_points tp
JOIN tickets t ON t.ticket_id = tp.ticket_id
WHERE tp.pain_point_id = :pain_point_id
ORDER BY t.created_at DESC, t.ticket_id
LIMIT :limit
