-- Report: outreach messages per campaign, status and holdout flag.
-- Params: :campaign_ids (expanding list of text)
SELECT campaign_id, status, is_holdout, COUNT(*) AS messages
FROM outreach_messages
WHERE campaign_id IN :campaign_ids
GROUP BY campaign_id, status, is_holdout
