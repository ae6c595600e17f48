-- The newest saved state of a detector and its as-of (a correction applies to the latest run at once).
-- Binds: :name
SELECT as_of, state FROM detector_state
WHERE name = :name
ORDER BY as_of DESC
LIMIT 1
