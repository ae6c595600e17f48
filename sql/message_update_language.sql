-- Purpose: record the language a rendered message was written in and why (customer's language or the fallback reason).
-- Params: :message_id, :language, :language_reason
UPDATE outreach_messages
SET language = :language, language_reason = :language_reason
WHERE message_id = :message_id
