-- Report: distinct messages per campaign that had each email event (delivered, open, click, ...).
-- Params: :campaign_ids (expanding list of text)
SELECT COALESCE(m.campaign_id, e.campaign_id) AS campaign_id, e.event,
       COUNT(DISTINCT COALESCE(e.message_id, e.customer_id, e.sg_event_id)) AS messages
FROM email_events e
LEFT JOIN outreach_messages m ON m.message_id = e.message_id
WHERE COALESCE(m.campaign_id, e.campaign_id) IN :campaign_ids
GROUP BY COALESCE(m.campaign_id, e.campaign_id), e.event
