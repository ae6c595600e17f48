-- Clear the hourly aggregate from :since on, before those hours are recounted (no look-ahead: nothing
-- after the new as-of stays).
-- Binds: :since
DELETE FROM event_hourly WHERE hour >= :since
