-- Record an event of a pain point: created, split (from a parent), merged (parents into one), a correction, or relabelled (detail: {"from", "to"}).
-- Binds: :pain_point_id, :event, :parent_ids, :as_of, :detail
INSERT INTO pain_point_history (pain_point_id, event, parent_ids, as_of, detail)
VALUES (:pain_point_id, :event, :parent_ids, :as_of, :detail)
