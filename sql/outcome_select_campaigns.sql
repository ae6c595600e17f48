-- Purpose: campaigns that sent email, with their send time (first message out) and what their tickets are
--   about (linked pain point, or the incident's error code); only those whose first send is at or before
--   :latest_send, so the whole measurement window has passed.
-- Params: :latest_send
SELECT c.campaign_id, c.pain_point_id, i.error_code, MIN(m.sent_at) AS sent_at
FROM campaigns c
JOIN outreach_messages m ON m.campaign_id = c.campaign_id
LEFT JOIN incidents i ON i.incident_id = c.incident_id
WHERE m.status IN ('sent', 'unknown') AND m.sent_at IS NOT NULL
GROUP BY c.campaign_id, c.pain_point_id, i.error_code
HAVING MIN(m.sent_at) <= :latest_send
ORDER BY c.campaign_id
