-- Keep only the newest build as-of.
-- Binds: :as_of
DELETE FROM detector_state WHERE name = 'outreach_build' AND as_of < :as_of
