-- Report: campaigns and customers emailed (status sent; held-out customers are never sent) per pain
-- point, through campaigns on the pain point itself or on an incident linked to it. All time, so a
-- pain point shows outreach that ran before the report period.
-- Params: none
SELECT x.pain_point_id,
       COUNT(DISTINCT x.campaign_id) AS campaigns,
       COUNT(DISTINCT CASE WHEN m.status = 'sent' THEN m.customer_id END) AS customers
FROM (
    SELECT c.campaign_id, c.pain_point_id FROM campaigns c WHERE c.pain_point_id IS NOT NULL
    UNION
    SELECT c.campaign_id, l.pain_point_id
    FROM campaigns c JOIN pain_point_incidents l ON l.incident_id = c.incident_id
) x
LEFT JOIN outreach_messages m ON m.campaign_id = x.campaign_id
GROUP BY x.pain_point_id
