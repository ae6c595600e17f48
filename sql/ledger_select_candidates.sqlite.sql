-- Purpose: the next queued messages of a campaign, each with the reason it must be skipped now
--   (NULL = may be sent): customer gone, wrote to support since first exposed to the incident (by
--   :claimed_at; the audience's own rule when it was built: a campaign built at an older as-of, or approved
--   hours later, must not email someone support already hears from), no email, opted out, or suppressed
--   (by id or by email) since targeting. Holdout rows are
--   never candidates, whatever their status says.
--   Keyset-paged by message_id after :after ('' = from the start), so each claim reads one batch
--   instead of sorting every queued row of a large campaign.
--   SQLite: the unary + keeps the planner off the campaign_id index and on the primary key, which
--   returns rows already in message_id order (70 ms -> 2 ms per claim on a 100,000-message campaign).
-- Params: :campaign_id, :after, :limit, :claimed_at
SELECT
    m.message_id,
    CASE
        WHEN cu.customer_id IS NULL THEN 'customer_missing'
        WHEN EXISTS (
            SELECT 1 FROM tickets t
            WHERE t.customer_id = m.customer_id
              AND t.created_at >= COALESCE(ic.first_exposed_at, inc.started_at)
              AND t.created_at <= :claimed_at
        ) THEN 'wrote_in'
        WHEN cu.email IS NULL OR TRIM(cu.email) = '' THEN 'no_email'
        WHEN cu.email_opt_in IS NULL OR NOT cu.email_opt_in THEN 'opted_out'
        WHEN EXISTS (SELECT 1 FROM suppressions s WHERE s.customer_id = m.customer_id) THEN 'suppressed'
        WHEN se.email IS NOT NULL THEN 'suppressed'
        ELSE NULL
    END AS skip_reason
FROM outreach_messages m
LEFT JOIN customers cu ON cu.customer_id = m.customer_id
LEFT JOIN campaigns ca ON ca.campaign_id = m.campaign_id
LEFT JOIN incidents inc ON inc.incident_id = ca.incident_id
LEFT JOIN incident_customers ic ON ic.incident_id = ca.incident_id AND ic.customer_id = m.customer_id
-- One pass over suppressed addresses per claim, not one scan per candidate.
LEFT JOIN (
    SELECT DISTINCT LOWER(email) AS email FROM suppressions WHERE email IS NOT NULL
) se ON se.email = LOWER(cu.email)
WHERE +m.campaign_id = :campaign_id
  AND m.message_id > :after
  AND m.status = 'queued'
  AND NOT m.is_holdout
ORDER BY m.message_id
LIMIT :limit
