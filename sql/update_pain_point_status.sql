-- Mark a pain point that is no longer active (merged into another, or without tickets in the window).
-- Binds: :pain_point_id, :status, :as_of
UPDATE pain_points SET status = :status, as_of = :as_of WHERE pain_point_id = :pain_point_id
