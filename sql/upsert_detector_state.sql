-- Save a detector's state for one as-of.
-- Binds: :name, :as_of, :state
INSERT INTO detector_state (name, as_of, state) VALUES (:name, :as_of, :state)
ON CONFLICT (name, as_of) DO UPDATE SET state = excluded.state
