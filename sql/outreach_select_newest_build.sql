-- The newest as-of a build held campaigns at (kept as one detector_state row, name 'outreach_build').
-- Binds: none
SELECT MAX(as_of) FROM detector_state WHERE name = 'outreach_build'
