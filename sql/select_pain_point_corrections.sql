-- Every correction a person made to pain points, oldest first (each detect run re-applies them all).
-- Binds: none
SELECT correction_id, pain_point_id, action, "by", at, label, other_ids, phrase, ticket_ids, new_pain_point_id,
       snapshot_ticket_ids
FROM pain_point_corrections
ORDER BY at, correction_id
