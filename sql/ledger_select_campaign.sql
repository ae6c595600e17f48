-- Purpose: the campaign a send run works on, with its workaround (and its translations) and its incident's status.
-- Params: :campaign_id
SELECT
    c.campaign_id, c.status, c.send_cap, c.evidence, c.workaround_id,
    w.title AS workaround_title, w.body_markdown AS workaround_markdown, w.status AS workaround_status,
    w.language AS workaround_language, w.translations AS workaround_translations,
    i.status AS incident_status
FROM campaigns c
LEFT JOIN workarounds w ON w.workaround_id = c.workaround_id
LEFT JOIN incidents i ON i.incident_id = c.incident_id
WHERE c.campaign_id = :campaign_id
