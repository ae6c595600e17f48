-- Purpose: the id of every incident in the warehouse (to tell which ones a detect run opened).
-- Params: none
SELECT incident_id FROM incidents
