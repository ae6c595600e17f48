-- When the event history in the warehouse begins.
SELECT MIN(occurred_at) FROM events
