-- Record a pain point as of a detection run (its theme, and whether a person muted or pinned it).
-- Binds: :pain_point_id, :label, :status, :first_seen_at, :last_seen_at, :ticket_count, :customer_count,
--        :mrr_at_risk, :key_terms, :representatives, :trend, :as_of, :theme_id, :muted, :pinned
INSERT INTO pain_points (pain_point_id, label, status, first_seen_at, last_seen_at, ticket_count, customer_count,
                         mrr_at_risk, key_terms, representatives, trend, as_of, theme_id, muted, pinned)
VALUES (:pain_point_id, :label, :status, :first_seen_at, :last_seen_at, :ticket_count, :customer_count,
        :mrr_at_risk, :key_terms, :representatives, :trend, :as_of, :theme_id, :muted, :pinned)
ON CONFLICT (pain_point_id) DO UPDATE SET
    label = excluded.label,
    status = excluded.status,
    first_seen_at = CASE WHEN pain_points.first_seen_at IS NULL OR excluded.first_seen_at < pain_points.first_seen_at
                         THEN excluded.first_seen_at ELSE pain_points.first_seen_at END,
    last_seen_at = excluded.last_seen_at,
    ticket_count = excluded.ticket_count,
    customer_count = excluded.customer_count,
    mrr_at_risk = excluded.mrr_at_risk,
    key_terms = excluded.key_terms,
    representatives = excluded.representatives,
    trend = excluded.trend,
    as_of = excluded.as_of,
    theme_id = excluded.theme_id,
    muted = excluded.muted,
    pinned = excluded.pinned
