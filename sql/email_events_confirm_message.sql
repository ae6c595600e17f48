-- Purpose: an event from SendGrid proves it accepted a message we marked 'unknown' (no answer at send
--   time): it is 'sent'. Rows still 'sending' are left to their run or to reconciliation.
-- Params: :message_id, :occurred_at
UPDATE outreach_messages
SET status = 'sent',
    sent_at = COALESCE(sent_at, :occurred_at),
    last_error = 'reconciled: the provider reported events for this message'
WHERE message_id = :message_id
  AND status = 'unknown'
