-- Show a correction on a pain point at once: its label, and whether it is muted or pinned.
-- Binds: :pain_point_id, :label, :muted, :pinned
UPDATE pain_points SET label = :label, muted = :muted, pinned = :pinned WHERE pain_point_id = :pain_point_id
