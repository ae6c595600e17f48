-- Purpose: the ids of the themes the table shows as active.
-- Params: none
SELECT theme_id FROM themes WHERE status = 'active'
