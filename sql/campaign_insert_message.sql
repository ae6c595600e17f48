-- Purpose: add one audience member to a campaign: queued (treated) or held_out (holdout); an existing
--   (campaign, customer) row is kept as it is, so reruns never duplicate a message.
-- Params: :message_id, :campaign_id, :customer_id, :is_holdout, :status, :created_at, :context (JSON)
INSERT INTO outreach_messages (message_id, campaign_id, customer_id, is_holdout, status, attempts, created_at, context)
VALUES (:message_id, :campaign_id, :customer_id, :is_holdout, :status, 0, :created_at, :context)
ON CONFLICT (campaign_id, customer_id) DO NOTHING
