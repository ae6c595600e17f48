-- Move one ticket to another pain point (a correction applied to the latest run).
-- Binds: :ticket_id, :pain_point_id
UPDATE ticket_pain_points SET pain_point_id = :pain_point_id WHERE ticket_id = :ticket_id
