-- One pain point's history for the terminal, oldest first: its own events and those naming it as a parent
-- (a part split off it, pain points merged into another). :parent is the id quoted as in parent_ids' JSON.
-- Binds: :pain_point_id, :parent
SELECT h.pain_point_id, h.event, h.parent_ids, h.as_of, h.detail
FROM pain_point_history h
WHERE h.pain_point_id = :pain_point_id OR h.parent_ids LIKE :parent
ORDER BY h.as_of, h.history_id
