-- Pain points for a terminal listing: current ones first, biggest first, with theme and corrections.
-- Binds: none
SELECT p.pain_point_id, p.label, p.status, p.ticket_count, p.customer_count, p.theme_id, th.label AS theme_label,
       p.muted, p.pinned
FROM pain_points p
LEFT JOIN themes th ON th.theme_id = p.theme_id
ORDER BY CASE WHEN p.status = 'active' THEN 0 ELSE 1 END, p.ticket_count DESC, p.pain_point_id
