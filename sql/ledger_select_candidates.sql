-- Purpose: the next queued messages of a campaign, each with the reason it must be skipped now
--   (NULL = may be sent): customer gone, no email, opted out, or suppressed (by id or by email) since
--   targeting. Holdout rows are never candidates, whatever their status says.
-- Params: :campaign_id, :limit
SELECT
    m.message_id,
    CASE
        WHEN cu.customer_id IS NULL THEN 'customer_missing'
        WHEN cu.email IS NULL OR TRIM(cu.email) = '' THEN 'no_email'
        WHEN cu.email_opt_in IS NULL OR NOT cu.email_opt_in THEN 'opted_out'
        WHEN EXISTS (SELECT 1 FROM suppressions s WHERE s.customer_id = m.customer_id) THEN 'suppressed'
        WHEN EXISTS (SELECT 1 FROM suppressions s WHERE LOWER(s.email) = LOWER(cu.email)) THEN 'suppressed'
        ELSE NULL
    END AS skip_reason
FROM outreach_messages m
LEFT JOIN customers cu ON cu.customer_id = m.customer_id
WHERE m.campaign_id = :campaign_id
  AND m.status = 'queued'
  AND NOT m.is_holdout
ORDER BY m.message_id
LIMIT :limit
