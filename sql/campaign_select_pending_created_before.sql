-- Purpose: campaigns still waiting for approval that were created before :cutoff (to expire them).
-- Params: :cutoff
SELECT campaign_id, created_at FROM campaigns
WHERE status = 'pending_approval' AND created_at < :cutoff
ORDER BY campaign_id
