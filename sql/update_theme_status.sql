-- Mark a theme that no longer holds pain points (merged into another, or dormant).
-- Binds: :theme_id, :status, :as_of
UPDATE themes SET status = :status, as_of = :as_of WHERE theme_id = :theme_id
