-- Drop the identity events of one as-of before they are written again (reruns stay idempotent).
-- Binds: :as_of
DELETE FROM pain_point_history WHERE as_of = :as_of
