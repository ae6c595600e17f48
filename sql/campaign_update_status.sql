-- Purpose: move a campaign from :from_status to :to_status (reject, cancel, expire) with the reason;
--   no row changes when someone else moved it first. Messages are never touched: a cancelled campaign's
--   queued rows stay unsent.
-- Params: :campaign_id, :from_status, :to_status, :decided_reason
UPDATE campaigns
SET status = :to_status, decided_reason = :decided_reason
WHERE campaign_id = :campaign_id AND status = :from_status
