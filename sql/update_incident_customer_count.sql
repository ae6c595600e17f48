-- An incident's customer count after customers were added to it.
-- Binds: :incident_id
UPDATE incidents
SET customer_count = (SELECT COUNT(*) FROM incident_customers WHERE incident_customers.incident_id = :incident_id)
WHERE incident_id = :incident_id
