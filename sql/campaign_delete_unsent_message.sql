-- Purpose: drop a not-yet-sent row from a campaign being rebuilt before approval (the customer left its audience).
-- Params: :message_id
DELETE FROM outreach_messages WHERE message_id = :message_id AND status IN ('queued', 'held_out')
