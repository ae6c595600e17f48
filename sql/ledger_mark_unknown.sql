-- Purpose: no answer came for a claimed message (timeout): it may have been sent (sending -> unknown).
--   Never retried automatically; reconciliation against email_events or a person decides.
-- Params: :message_id, :error
UPDATE outreach_messages
SET status = 'unknown', last_error = :error
WHERE message_id = :message_id
  AND status = 'sending'
