-- The customers an incident holds (a symptom found later adds only the others).
-- Binds: :incident_id
SELECT customer_id FROM incident_customers WHERE incident_id = :incident_id
