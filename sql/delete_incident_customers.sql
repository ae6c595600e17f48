-- Forget one incident's affected customers before they are written again.
-- Binds: :incident_id
DELETE FROM incident_customers WHERE incident_id = :incident_id
