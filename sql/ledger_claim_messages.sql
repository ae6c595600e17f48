-- Purpose: claim queued messages for sending (queued -> sending), committed BEFORE any provider call.
--   The status condition makes the claim exclusive: a row another run took is not returned.
-- Params: :campaign_id, :message_ids (expanding list), :claimed_at
UPDATE outreach_messages
SET status = 'sending', attempts = attempts + 1, claimed_at = :claimed_at
WHERE campaign_id = :campaign_id
  AND status = 'queued'
  AND message_id IN :message_ids
RETURNING message_id, attempts
