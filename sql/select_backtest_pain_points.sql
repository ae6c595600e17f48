-- Every pain point as it stands after a detection run (what the backtest records day by day).
SELECT pain_point_id, label, status, first_seen_at, ticket_count, customer_count
FROM pain_points
ORDER BY pain_point_id
