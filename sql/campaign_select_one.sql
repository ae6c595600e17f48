-- Purpose: one campaign with its evidence and preview.
-- Params: :campaign_id
SELECT campaign_id, incident_id, pain_point_id, workaround_id, status, created_at, approved_at, approved_by,
       decided_reason, audience_size, holdout_size, send_cap, severity, evidence,
       preview_subject, preview_text, preview_html
FROM campaigns
WHERE campaign_id = :campaign_id
