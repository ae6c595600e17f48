-- Purpose: CSAT ratings of every ticket filed in (:window_start, :window_end] by customers of each arm.
-- Params: :campaign_id, :window_start, :window_end
SELECT m.is_holdout, t.csat
FROM outreach_messages m
JOIN tickets t ON t.customer_id = m.customer_id
WHERE m.campaign_id = :campaign_id
  AND (m.status = 'held_out' OR (NOT m.is_holdout AND m.status IN ('sent', 'unknown')))
  AND t.created_at > :window_start
  AND t.created_at <= :window_end
  AND t.csat IS NOT NULL
