-- Purpose: the locale of each given customer (the campaign preview counts emails per language).
-- Params: :customer_ids (expanding list)
SELECT customer_id, locale
FROM customers
WHERE customer_id IN :customer_ids
