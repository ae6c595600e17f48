-- Report: current pain points (not merged or split away) that are active or were seen in the context
-- window, first seen before the report's end; biggest first (customers, then MRR at risk).
-- Params: :since (timestamp, start of the context window), :end (timestamp, exclusive report end)
SELECT pain_point_id, label, status, first_seen_at, last_seen_at, ticket_count, customer_count,
       mrr_at_risk, key_terms, representatives, trend
FROM pain_points
WHERE status NOT IN ('merged', 'split')
  AND (first_seen_at IS NULL OR first_seen_at < :end)
  AND (status = 'active' OR last_seen_at >= :since)
ORDER BY customer_count DESC, COALESCE(mrr_at_risk, 0) DESC, ticket_count DESC, pain_point_id
