-- Purpose: our messages by SendGrid's X-Message-Id, for events that carry no message_id custom arg.
-- Params: :provider_message_ids (expanding list)
SELECT message_id, campaign_id, customer_id, provider_message_id
FROM outreach_messages
WHERE provider_message_id IN :provider_message_ids
