-- Purpose: a queued message that must not be sent (suppressed, opted out ...) becomes 'failed' with the reason.
-- Params: :message_id, :reason, :claimed_at
UPDATE outreach_messages
SET status = 'failed', last_error = :reason, claimed_at = :claimed_at
WHERE message_id = :message_id
  AND status = 'queued'
