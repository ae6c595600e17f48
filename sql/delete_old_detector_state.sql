-- Keep only recent states of a detector (older ones can no longer be rerun from).
-- Binds: :name, :before
DELETE FROM detector_state WHERE name = :name AND as_of < :before
