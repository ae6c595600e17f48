-- Monthly recurring revenue per customer (NULL when unknown: revenue at risk is then unknown, not $0).
SELECT customer_id, mrr FROM customers
