-- Purpose: customers who may be emailed at all (opted in, with an address): the backtest's "could be emailed".
-- Binds: none
SELECT customer_id
FROM customers
WHERE email_opt_in AND email IS NOT NULL AND TRIM(email) <> ''
