-- Purpose: every campaign of one incident with its decision (who approved it, when, for how many, with
-- which workaround version in its evidence): what a follow-up's standing approval is judged against.
-- Params: :incident_id
SELECT campaign_id, status, created_at, approved_at, approved_by, workaround_id, audience_size, holdout_size,
       evidence
FROM campaigns
WHERE incident_id = :incident_id
ORDER BY created_at, campaign_id
