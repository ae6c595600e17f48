-- Purpose: the provider accepted a claimed message (sending -> sent).
-- Params: :message_id, :sent_at, :provider_message_id
UPDATE outreach_messages
SET status = 'sent', sent_at = :sent_at, provider_message_id = :provider_message_id, last_error = NULL
WHERE message_id = :message_id
  AND status = 'sending'
