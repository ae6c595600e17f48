-- Purpose: every sent message with its customer's locale, the language it was written in and why, and the
--          translations its workaround has (benchmarks/email_languages.py checks the issue's targets with it).
-- Params: none.
SELECT m.message_id, cu.locale, m.language, m.language_reason, w.translations
FROM outreach_messages m
JOIN customers cu ON cu.customer_id = m.customer_id
JOIN campaigns c ON c.campaign_id = m.campaign_id
LEFT JOIN workarounds w ON w.workaround_id = c.workaround_id
WHERE m.status = 'sent'
