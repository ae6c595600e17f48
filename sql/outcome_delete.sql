-- Purpose: forget the outcome stored for one campaign (a follow-up now measured with its incident's first one).
-- Params: :campaign_id
DELETE FROM campaign_outcomes WHERE campaign_id = :campaign_id
