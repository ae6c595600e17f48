-- Report: customers and their MRR for the given pain points, from the tickets assigned to them (used
-- when the detector left mrr_at_risk empty).
-- Params: :pain_point_ids (expanding list of text)
SELECT x.pain_point_id, COUNT(*) AS customers, SUM(c.mrr) AS mrr
FROM (
    SELECT DISTINCT tp.pain_point_id, t.customer_id
    FROM ticket_pain_points tp
    JOIN tickets t ON t.ticket_id = tp.ticket_id
    WHERE tp.pain_point_id IN :pain_point_ids
) x
LEFT JOIN customers c ON c.customer_id = x.customer_id
GROUP BY x.pain_point_id
