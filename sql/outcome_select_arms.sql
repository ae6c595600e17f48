-- Purpose: the customers of each arm of a campaign (treated = rows meant to be emailed, holdout = held_out
--   rows), one row per ticket each filed in (:window_start, :window_end] (one row with NULLs for none), with
--   its CSAT and whether it is about the issue: in the pain point, or, when there is none, mentioning the
--   error code in the redacted text.
--   Both arms are cut by the rule the send applies to the treated arm: a customer who wrote to support between
--   first exposure and the first send is out of both (the send skipped such treated customers as 'wrote_in';
--   left in the holdout, they would lift its rate, since someone who wrote once often writes again). A treated
--   row skipped 'wrote_in' for a ticket after the first send (a later claim) stays treated, as its twin in
--   the holdout stays.
-- Params: :campaign_id, :pain_point_id (or NULL), :error_code_pattern (LIKE pattern with '\' escapes, or NULL),
--   :window_start, :window_end
WITH arm AS (
    SELECT m.customer_id, m.is_holdout
    FROM outreach_messages m
    JOIN campaigns ca ON ca.campaign_id = m.campaign_id
    LEFT JOIN incidents inc ON inc.incident_id = ca.incident_id
    LEFT JOIN incident_customers ic ON ic.incident_id = ca.incident_id AND ic.customer_id = m.customer_id
    WHERE m.campaign_id = :campaign_id
      AND (
          m.status = 'held_out'
          OR (NOT m.is_holdout AND (
              m.status IN ('sent', 'unknown') OR (m.status = 'failed' AND m.last_error = 'wrote_in')
          ))
      )
      AND NOT EXISTS (
          SELECT 1 FROM tickets t
          WHERE t.customer_id = m.customer_id
            AND t.created_at >= COALESCE(ic.first_exposed_at, inc.started_at)
            AND t.created_at <= :window_start
      )
)
SELECT
    a.customer_id,
    a.is_holdout,
    t.csat,
    CASE
        WHEN t.ticket_id IS NULL THEN 0
        WHEN t.ticket_id IN (
            SELECT tpp.ticket_id FROM ticket_pain_points tpp WHERE tpp.pain_point_id = :pain_point_id
        ) THEN 1
        WHEN LOWER(COALESCE(t.subject_redacted, '') || ' ' || COALESCE(t.body_redacted, ''))
            LIKE :error_code_pattern ESCAPE '\' THEN 1
        ELSE 0
    END AS on_issue
FROM arm a
LEFT JOIN tickets t
    ON t.customer_id = a.customer_id
   AND t.created_at > :window_start
   AND t.created_at <= :window_end
