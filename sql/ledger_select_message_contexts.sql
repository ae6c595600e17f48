-- Purpose: what each claimed message is rendered from: the customer and the row's own context JSON.
-- Params: :message_ids (expanding list)
SELECT m.message_id, m.campaign_id, m.customer_id, m.context, cu.email, cu.name, cu.locale
FROM outreach_messages m
JOIN customers cu ON cu.customer_id = m.customer_id
WHERE m.message_id IN :message_ids
