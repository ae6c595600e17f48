-- One pain point's stored description, kept when a correction recounts its tickets.
-- Binds: :pain_point_id
SELECT pain_point_id, label, status, key_terms, representatives, theme_id, muted, pinned
FROM pain_points
WHERE pain_point_id = :pain_point_id
