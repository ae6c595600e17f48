-- Purpose: give back a claimed message that was certainly NOT handed to the provider (kill switch,
--   sender misconfigured, provider said 429/5xx every time) so a later run can send it (sending -> queued).
-- Params: :message_id, :error
UPDATE outreach_messages
SET status = 'queued', claimed_at = NULL, last_error = :error
WHERE message_id = :message_id
  AND status = 'sending'
