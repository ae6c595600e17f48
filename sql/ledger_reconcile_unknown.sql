-- Purpose: messages still in 'sending' long after their claim (the run died) with no provider event:
--   maybe sent, so 'unknown' for a person; never back to 'queued'.
-- Params: :stale_before
UPDATE outreach_messages
SET status = 'unknown',
    last_error = 'interrupted while sending: check the provider before sending again'
WHERE status = 'sending'
  AND claimed_at < :stale_before
