-- Bring each active theme's pain point, ticket and customer counts up to its active pain points' rows (a
-- person's merge or split moves tickets between pain points at once; the themes' first and last ticket
-- times follow the next run).
-- Binds: none
UPDATE themes
SET pain_point_count = (SELECT COUNT(*) FROM pain_points p WHERE p.theme_id = themes.theme_id AND p.status = 'active'),
    ticket_count = (SELECT COALESCE(SUM(p.ticket_count), 0) FROM pain_points p
                    WHERE p.theme_id = themes.theme_id AND p.status = 'active'),
    customer_count = (SELECT COUNT(DISTINCT t.customer_id)
                      FROM pain_points p
                      JOIN ticket_pain_points m ON m.pain_point_id = p.pain_point_id
                      JOIN tickets t ON t.ticket_id = m.ticket_id
                      WHERE p.theme_id = themes.theme_id AND p.status = 'active')
WHERE status = 'active'
