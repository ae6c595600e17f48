-- Each ticket with its author, time and pain point (NULL when unassigned), for scoring a backtest.
SELECT t.ticket_id, t.customer_id, t.created_at, tpp.pain_point_id
FROM tickets t
LEFT JOIN ticket_pain_points tpp ON tpp.ticket_id = t.ticket_id
ORDER BY t.ticket_id
