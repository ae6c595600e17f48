-- Report: active themes (coarse groups of pain points), biggest first; muted pain points not counted.
-- Params: none
SELECT th.theme_id, th.label, COUNT(p.pain_point_id) AS pain_point_count,
       COALESCE(SUM(p.ticket_count), 0) AS ticket_count, COALESCE(SUM(p.customer_count), 0) AS customer_count
FROM themes th
JOIN pain_points p ON p.theme_id = th.theme_id AND p.status = 'active' AND NOT p.muted
WHERE th.status = 'active'
GROUP BY th.theme_id, th.label
ORDER BY customer_count DESC, ticket_count DESC, th.theme_id
