-- Purpose: a sending campaign with nothing left queued is 'sent'.
-- Params: :campaign_id
UPDATE campaigns
SET status = 'sent'
WHERE campaign_id = :campaign_id
  AND status = 'sending'
  AND NOT EXISTS (
      SELECT 1 FROM outreach_messages m WHERE m.campaign_id = :campaign_id AND m.status = 'queued'
  )
