-- Report: the newest corrections people made to pain points, with who and when.
-- Params: :limit
SELECT c.pain_point_id, c.action, c."by", c.at, c.label, c.other_ids, c.phrase, c.new_pain_point_id,
       p.label AS current_label
FROM pain_point_corrections c
LEFT JOIN pain_points p ON p.pain_point_id = c.pain_point_id
ORDER BY c.at DESC, c.correction_id DESC
LIMIT :limit
