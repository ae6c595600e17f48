-- Clear the hourly aggregate before it is rebuilt for a new as-of (no look-ahead: nothing after :until stays).
DELETE FROM event_hourly
