-- Purpose: the newest redacted tickets (never the raw text) in a pain point, or mentioning the incident's
--   error code when no pain point is linked, for a campaign's evidence.
-- Params: :pain_point_id (or NULL), :error_code_pattern (LIKE pattern with '\' escapes, or NULL), :as_of, :limit
SELECT t.ticket_id, t.created_at, t.subject_redacted, t.body_redacted
FROM tickets t
WHERE t.created_at <= :as_of
  AND (
      t.ticket_id IN (SELECT tpp.ticket_id FROM ticket_pain_points tpp WHERE tpp.pain_point_id = :pain_point_id)
      OR LOWER(COALESCE(t.subject_redacted, '') || ' ' || COALESCE(t.body_redacted, ''))
          LIKE :error_code_pattern ESCAPE '\'
  )
ORDER BY t.created_at DESC, t.ticket_id
LIMIT :limit
