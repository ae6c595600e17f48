-- Where the warehouse's data starts and stops: the first and last ticket, and the first and last hour
-- with counted error events (the hourly aggregate, small and indexed by hour, instead of all events).
-- Binds: none
SELECT (SELECT MIN(created_at) FROM tickets) AS tickets_from,
       (SELECT MAX(created_at) FROM tickets) AS tickets_until,
       (SELECT MIN(hour) FROM event_hourly) AS errors_from,
       (SELECT MAX(hour) FROM event_hourly) AS errors_until
