-- Record an identity event of a theme: created, split (from a parent) or merged (parents into one).
-- Binds: :theme_id, :event, :parent_ids, :as_of
INSERT INTO theme_history (theme_id, event, parent_ids, as_of) VALUES (:theme_id, :event, :parent_ids, :as_of)
