-- Purpose: how many of the campaign's messages are in each ledger status (send cap and progress).
-- Params: :campaign_id
SELECT status, COUNT(*) AS messages
FROM outreach_messages
WHERE campaign_id = :campaign_id
GROUP BY status
