-- Remember that campaigns were built at :as_of (only the newest as-of is kept).
-- Binds: :as_of
INSERT INTO detector_state (name, as_of, state) VALUES ('outreach_build', :as_of, '{}')
ON CONFLICT (name, as_of) DO NOTHING
