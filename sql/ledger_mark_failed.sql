-- Purpose: the provider refused a claimed message, or it could not be rendered (sending -> failed).
-- Params: :message_id, :error
UPDATE outreach_messages
SET status = 'failed', last_error = :error
WHERE message_id = :message_id
  AND status = 'sending'
