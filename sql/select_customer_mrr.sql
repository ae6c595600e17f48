-- Monthly recurring revenue per customer (0 when unknown), for revenue at risk.
SELECT customer_id, COALESCE(mrr, 0) AS mrr FROM customers
