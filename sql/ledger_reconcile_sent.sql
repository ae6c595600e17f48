-- Purpose: messages left in 'sending' by an interrupted run (claimed before :stale_before), or marked
--   'unknown', for which SendGrid reported any event: it accepted them, so they are 'sent'.
-- Params: :stale_before
UPDATE outreach_messages
SET status = 'sent',
    sent_at = COALESCE(
        sent_at,
        (SELECT MIN(e.occurred_at) FROM email_events e WHERE e.message_id = outreach_messages.message_id)
    ),
    last_error = 'reconciled: the provider reported events for this message'
WHERE (status = 'unknown' OR (status = 'sending' AND claimed_at < :stale_before))
  AND EXISTS (SELECT 1 FROM email_events e WHERE e.message_id = outreach_messages.message_id)
