-- Purpose: ask again about an expired campaign (nobody decided in time): back to pending_approval with its
--   approval clock (created_at) restarted, so the next outreach run rebuilds its audience and the timeout
--   counts from now; no row changes when it is no longer expired.
-- Params: :campaign_id, :now, :decided_reason
UPDATE campaigns
SET status = 'pending_approval', created_at = :now, decided_reason = :decided_reason
WHERE campaign_id = :campaign_id AND status = 'expired'
