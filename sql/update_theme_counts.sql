-- Bring each active theme's pain point and ticket counts up to its active pain points' rows (a person's
-- merge or split moves tickets between pain points at once; the themes' other figures follow the next run).
-- Binds: none
UPDATE themes
SET pain_point_count = (SELECT COUNT(*) FROM pain_points p WHERE p.theme_id = themes.theme_id AND p.status = 'active'),
    ticket_count = (SELECT COALESCE(SUM(p.ticket_count), 0) FROM pain_points p
                    WHERE p.theme_id = themes.theme_id AND p.status = 'active')
WHERE status = 'active'
