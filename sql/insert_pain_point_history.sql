-- Record an identity event of a pain point: created, split (from a parent) or merged (parents into one).
-- Binds: :pain_point_id, :event, :parent_ids, :as_of, :detail
INSERT INTO pain_point_history (pain_point_id, event, parent_ids, as_of, detail)
VALUES (:pain_point_id, :event, :parent_ids, :as_of, :detail)
