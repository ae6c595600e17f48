-- Purpose: never email this customer again for this reason (bounce, dropped, spamreport, unsubscribe,
--   group_unsubscribe); a second event with the same reason changes nothing.
-- Params: :customer_id, :reason, :email, :source, :created_at
INSERT INTO suppressions (customer_id, reason, email, source, created_at)
VALUES (:customer_id, :reason, :email, :source, :created_at)
ON CONFLICT (customer_id, reason) DO NOTHING
