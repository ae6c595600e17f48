-- Purpose: customers by lower-cased email, for events that carry no customer_id custom arg.
-- Params: :emails (expanding list of lower-cased addresses)
SELECT customer_id, LOWER(email) AS email FROM customers WHERE LOWER(email) IN :emails
