-- Assign a ticket to a pain point.
-- Binds: :ticket_id, :pain_point_id, :score, :as_of
INSERT INTO ticket_pain_points (ticket_id, pain_point_id, score, as_of)
VALUES (:ticket_id, :pain_point_id, :score, :as_of)
ON CONFLICT (ticket_id) DO UPDATE SET pain_point_id = excluded.pain_point_id, score = excluded.score, as_of = excluded.as_of
