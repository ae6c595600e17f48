-- Purpose: every campaign, newest first, without the bulky evidence and preview (callers filter on status).
-- Params: none.
SELECT campaign_id, incident_id, pain_point_id, workaround_id, status, created_at, approved_at, approved_by,
       decided_reason, audience_size, holdout_size, send_cap, severity
FROM campaigns
ORDER BY created_at DESC, campaign_id
