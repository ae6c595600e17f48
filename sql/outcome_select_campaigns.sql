-- Purpose: campaigns whose measurement window has started, with their incident, what their tickets are about
--   (linked pain point, or the incident's error code) and their start: the first message out, or, for a
--   follow-up whose newcomers were all held out (it sends nothing), its approval, when it would have sent.
--   Only those that started at or before :latest_send, so their whole window has passed. An incident's
--   campaign and its follow-ups are measured together (outcomes.py): one follow-up holds a few customers.
-- Params: :latest_send
SELECT c.campaign_id, c.incident_id, c.pain_point_id, i.error_code,
       COALESCE(
           MIN(CASE WHEN m.status IN ('sent', 'unknown') THEN m.sent_at END),
           CASE WHEN SUM(CASE WHEN m.is_holdout THEN 0 ELSE 1 END) = 0 THEN c.approved_at END
       ) AS sent_at
FROM campaigns c
JOIN outreach_messages m ON m.campaign_id = c.campaign_id
LEFT JOIN incidents i ON i.incident_id = c.incident_id
GROUP BY c.campaign_id, c.incident_id, c.pain_point_id, i.error_code, c.approved_at
HAVING COALESCE(
           MIN(CASE WHEN m.status IN ('sent', 'unknown') THEN m.sent_at END),
           CASE WHEN SUM(CASE WHEN m.is_holdout THEN 0 ELSE 1 END) = 0 THEN c.approved_at END
       ) <= :latest_send
ORDER BY c.incident_id, sent_at, c.campaign_id
