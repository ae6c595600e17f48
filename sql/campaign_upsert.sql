-- Purpose: create a campaign, or rebuild it while nobody has decided on it yet (needs_workaround or
--   pending_approval). A campaign that was approved, sent, rejected, cancelled or expired is never touched:
--   its audience is frozen. A campaign leaving needs_workaround starts its approval clock anew.
-- Params: :campaign_id, :incident_id, :pain_point_id, :workaround_id, :status, :created_at, :approved_at,
--   :approved_by, :decided_reason, :audience_size, :holdout_size, :send_cap, :severity, :evidence (JSON),
--   :preview_subject, :preview_text, :preview_html
INSERT INTO campaigns (
    campaign_id, incident_id, pain_point_id, workaround_id, status, created_at, approved_at, approved_by,
    decided_reason, audience_size, holdout_size, send_cap, severity, evidence,
    preview_subject, preview_text, preview_html
) VALUES (
    :campaign_id, :incident_id, :pain_point_id, :workaround_id, :status, :created_at, :approved_at, :approved_by,
    :decided_reason, :audience_size, :holdout_size, :send_cap, :severity, :evidence,
    :preview_subject, :preview_text, :preview_html
)
ON CONFLICT (campaign_id) DO UPDATE SET
    pain_point_id = excluded.pain_point_id,
    workaround_id = excluded.workaround_id,
    status = excluded.status,
    created_at = CASE
        WHEN campaigns.status = 'needs_workaround' AND excluded.status <> 'needs_workaround' THEN excluded.created_at
        ELSE campaigns.created_at
    END,
    approved_at = excluded.approved_at,
    approved_by = excluded.approved_by,
    decided_reason = excluded.decided_reason,
    audience_size = excluded.audience_size,
    holdout_size = excluded.holdout_size,
    send_cap = excluded.send_cap,
    severity = excluded.severity,
    evidence = excluded.evidence,
    preview_subject = excluded.preview_subject,
    preview_text = excluded.preview_text,
    preview_html = excluded.preview_html
WHERE campaigns.status IN ('needs_workaround', 'pending_approval')
