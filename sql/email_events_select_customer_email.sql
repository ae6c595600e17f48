-- Purpose: a customer's email, stored with a suppression so it also matches by address.
-- Params: :customer_id
SELECT email FROM customers WHERE customer_id = :customer_id
