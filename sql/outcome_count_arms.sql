-- Purpose: per arm of a campaign (treated = emailed rows, holdout = held_out rows), how many customers and how
--   many of them filed a ticket about the issue in (:window_start, :window_end]: in the pain point, or, when
--   there is none, mentioning the error code in the redacted text.
-- Params: :campaign_id, :pain_point_id (or NULL), :error_code_pattern (LIKE pattern with '\' escapes, or NULL),
--   :window_start, :window_end
SELECT
    m.is_holdout,
    COUNT(*) AS customers,
    SUM(CASE WHEN EXISTS (
        SELECT 1 FROM tickets t
        WHERE t.customer_id = m.customer_id
          AND t.created_at > :window_start
          AND t.created_at <= :window_end
          AND (
              t.ticket_id IN (SELECT tpp.ticket_id FROM ticket_pain_points tpp WHERE tpp.pain_point_id = :pain_point_id)
              OR LOWER(COALESCE(t.subject_redacted, '') || ' ' || COALESCE(t.body_redacted, ''))
                  LIKE :error_code_pattern ESCAPE '\'
          )
    ) THEN 1 ELSE 0 END) AS with_ticket
FROM outreach_messages m
WHERE m.campaign_id = :campaign_id
  AND (m.status = 'held_out' OR (NOT m.is_holdout AND m.status IN ('sent', 'unknown')))
GROUP BY m.is_holdout
