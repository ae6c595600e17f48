-- How many tickets and events a warehouse already holds (a backtest needs an empty one).
SELECT (SELECT COUNT(*) FROM tickets) + (SELECT COUNT(*) FROM events) + (SELECT COUNT(*) FROM incidents)
