-- Purpose: the customers that already have a row in a campaign, with their message id and status.
-- Params: :campaign_id
SELECT customer_id, message_id, status FROM outreach_messages WHERE campaign_id = :campaign_id
