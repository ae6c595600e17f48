-- Report: campaigns created in the context window, still in flight, or measured in the window, with
-- their topic and measured outcome; newest first.
-- Params: :since (timestamp, start of the context window), :end (timestamp, exclusive report end)
SELECT c.campaign_id, c.incident_id, c.pain_point_id, c.status, c.created_at, c.approved_at,
       c.approved_by, c.audience_size, c.holdout_size,
       p.label AS pain_point_label, i.name AS incident_name, i.error_code AS incident_error_code,
       o.measured_at, o.window_days, o.treated, o.holdout, o.treated_ticket_rate, o.holdout_ticket_rate,
       o.ci_low, o.ci_high, o.deflected_tickets, o.deflected_ci_low, o.deflected_ci_high,
       o.treated_csat, o.holdout_csat
FROM campaigns c
LEFT JOIN pain_points p ON p.pain_point_id = c.pain_point_id
LEFT JOIN incidents i ON i.incident_id = c.incident_id
LEFT JOIN campaign_outcomes o ON o.campaign_id = c.campaign_id
WHERE c.created_at < :end
  AND (c.created_at >= :since
       OR o.measured_at >= :since
       OR c.status IN ('pending_approval', 'approved', 'sending'))
ORDER BY c.created_at DESC, c.campaign_id
