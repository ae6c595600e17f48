-- Purpose: every campaign about one incident (the first one and its follow-ups), with its status.
-- Params: :incident_id
SELECT campaign_id, status, created_at, audience_size, holdout_size, workaround_id, pain_point_id
FROM campaigns
WHERE incident_id = :incident_id
ORDER BY created_at, campaign_id
