-- Purpose: every outreach message with its campaign's incident (signature and start), for the backtest: who
--   was emailed about what and when (what simulated customers react to), who was held out, and the scores.
-- Binds: none
SELECT m.message_id, m.campaign_id, m.customer_id, m.status, m.is_holdout, m.sent_at,
       c.incident_id, i.kind, i.error_code, i.platform, i.app_version, i.started_at
FROM outreach_messages m
JOIN campaigns c ON c.campaign_id = m.campaign_id
JOIN incidents i ON i.incident_id = c.incident_id
ORDER BY m.sent_at, m.message_id
