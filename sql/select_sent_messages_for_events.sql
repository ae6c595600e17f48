-- Sent messages with the address they went to (demo: simulated SendGrid events for them).
SELECT m.message_id, m.campaign_id, m.customer_id, m.sent_at, m.provider_message_id, c.email
FROM outreach_messages m
JOIN customers c ON c.customer_id = m.customer_id
WHERE m.status = 'sent' AND m.sent_at IS NOT NULL
ORDER BY m.message_id
