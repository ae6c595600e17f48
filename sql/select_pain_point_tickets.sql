-- Tickets with their pain point before :as_of (authors and writing times), with redacted text.
-- Muted pain points are left out: a person said they must never drive outreach.
-- Binds: :as_of
SELECT tp.pain_point_id, t.customer_id, t.created_at,
       COALESCE(t.subject_redacted, '') || ' ' || COALESCE(t.body_redacted, '') AS text
FROM ticket_pain_points tp
JOIN tickets t ON t.ticket_id = tp.ticket_id
WHERE t.created_at < :as_of
  AND tp.pain_point_id NOT IN (SELECT pain_point_id FROM pain_points WHERE muted)
