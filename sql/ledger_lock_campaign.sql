-- Purpose: first statement of every claim transaction: take the campaign's lock (row lock on PostgreSQL,
--   the write lock on SQLite) so concurrent senders claim one after the other and the send cap holds,
--   and move an approved campaign to 'sending'. 0 rows: the campaign is no longer sendable (cancelled ...).
-- Params: :campaign_id
UPDATE campaigns
SET status = 'sending'
WHERE campaign_id = :campaign_id
  AND status IN ('approved', 'sending')
