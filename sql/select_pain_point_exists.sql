-- Whether a pain point id was ever issued (any status).
-- Binds: :pain_point_id
SELECT COUNT(*) FROM pain_points WHERE pain_point_id = :pain_point_id
