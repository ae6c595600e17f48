-- Record a theme (a coarse group of pain points) as of a detection run.
-- Binds: :theme_id, :label, :status, :first_seen_at, :last_seen_at, :pain_point_count, :ticket_count,
--        :customer_count, :as_of
INSERT INTO themes (theme_id, label, status, first_seen_at, last_seen_at, pain_point_count, ticket_count,
                    customer_count, as_of)
VALUES (:theme_id, :label, :status, :first_seen_at, :last_seen_at, :pain_point_count, :ticket_count,
        :customer_count, :as_of)
ON CONFLICT (theme_id) DO UPDATE SET
    label = excluded.label,
    status = excluded.status,
    first_seen_at = CASE WHEN themes.first_seen_at IS NULL OR excluded.first_seen_at < themes.first_seen_at
                         THEN excluded.first_seen_at ELSE themes.first_seen_at END,
    last_seen_at = excluded.last_seen_at,
    pain_point_count = excluded.pain_point_count,
    ticket_count = excluded.ticket_count,
    customer_count = excluded.customer_count,
    as_of = excluded.as_of
