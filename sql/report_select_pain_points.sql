-- Report: current pain points (not merged or split away) that are active or were seen in the context
-- window, first seen before the report's end; biggest first (customers, then MRR at risk). Muted ones are
-- left out (a person hid them), and each carries its theme's label.
-- Params: :since (timestamp, start of the context window), :end (timestamp, exclusive report end)
SELECT pain_points.pain_point_id, pain_points.label, pain_points.status, pain_points.first_seen_at,
       pain_points.last_seen_at, pain_points.ticket_count, pain_points.customer_count, mrr_at_risk, key_terms,
       representatives, trend, themes.label AS theme_label
FROM pain_points
LEFT JOIN themes ON themes.theme_id = pain_points.theme_id
WHERE pain_points.status NOT IN ('merged', 'split')
  AND NOT pain_points.muted
  AND (pain_points.first_seen_at IS NULL OR pain_points.first_seen_at < :end)
  AND (pain_points.status = 'active' OR pain_points.last_seen_at >= :since)
ORDER BY pain_points.customer_count DESC, COALESCE(mrr_at_risk, 0) DESC, pain_points.ticket_count DESC,
         pain_points.pain_point_id
