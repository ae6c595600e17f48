-- Every incident's affected customers, for scoring a backtest against the truth.
SELECT incident_id, customer_id, first_exposed_at FROM incident_customers ORDER BY incident_id, customer_id
