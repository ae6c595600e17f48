-- Drop the theme identity events of one as-of before they are written again (reruns stay idempotent).
-- Binds: :as_of
DELETE FROM theme_history WHERE as_of = :as_of
