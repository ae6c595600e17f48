-- The newest saved state of a detector strictly before :as_of (a rerun for the same as-of starts from
-- the same state, so it reproduces the same ids).
-- Binds: :name, :as_of
SELECT state FROM detector_state
WHERE name = :name AND as_of < :as_of
ORDER BY as_of DESC
LIMIT 1
