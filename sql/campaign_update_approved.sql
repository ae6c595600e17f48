-- Purpose: approve a campaign that is still waiting, recording who and when; no row changes otherwise.
-- Params: :campaign_id, :approved_at, :approved_by, :decided_reason
UPDATE campaigns
SET status = 'approved', approved_at = :approved_at, approved_by = :approved_by, decided_reason = :decided_reason
WHERE campaign_id = :campaign_id AND status = 'pending_approval'
