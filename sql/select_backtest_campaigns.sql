-- Purpose: every campaign with its decision, for the backtest's per-incident outreach report.
-- Binds: none
SELECT campaign_id, incident_id, pain_point_id, workaround_id, status, created_at, approved_at, approved_by,
       audience_size, holdout_size
FROM campaigns
ORDER BY created_at, campaign_id
