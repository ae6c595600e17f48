-- Record a customer affected by an incident; in_audience false: exposed, but not to be emailed.
-- Binds: :incident_id, :customer_id, :first_exposed_at, :event_count, :in_audience
INSERT INTO incident_customers (incident_id, customer_id, first_exposed_at, event_count, in_audience)
VALUES (:incident_id, :customer_id, :first_exposed_at, :event_count, :in_audience)
ON CONFLICT (incident_id, customer_id) DO UPDATE SET
    first_exposed_at = CASE WHEN excluded.first_exposed_at < incident_customers.first_exposed_at
                            THEN excluded.first_exposed_at ELSE incident_customers.first_exposed_at END,
    event_count = excluded.event_count,
    in_audience = excluded.in_audience
