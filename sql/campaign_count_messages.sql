-- Purpose: how many of a campaign's rows are in each status (queued, sending, sent, failed, unknown, held_out).
-- Params: :campaign_id
SELECT status, COUNT(*) AS n FROM outreach_messages WHERE campaign_id = :campaign_id GROUP BY status
