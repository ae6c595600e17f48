-- Purpose: a group_resubscribe event lifts that customer's group_unsubscribe suppression (only that one).
-- Params: :customer_id
DELETE FROM suppressions WHERE customer_id = :customer_id AND reason = 'group_unsubscribe'
