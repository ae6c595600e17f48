-- Who a campaign would reach at :as_of: customers affected by an incident (in its email audience) that is
-- linked to a pain point, first exposed before :as_of, opted in with an email address, and who had not filed a ticket
-- before :as_of in any pain point linked to that incident. One row per (incident, customer).
-- Binds: :as_of
SELECT ic.incident_id, ic.customer_id, ic.first_exposed_at
FROM incident_customers ic
JOIN customers c ON c.customer_id = ic.customer_id
WHERE ic.first_exposed_at < :as_of
  AND ic.in_audience
  AND c.email_opt_in
  AND c.email IS NOT NULL AND TRIM(c.email) <> ''
  AND EXISTS (SELECT 1 FROM pain_point_incidents ppi WHERE ppi.incident_id = ic.incident_id)
  AND NOT EXISTS (
      SELECT 1
      FROM pain_point_incidents ppi
      JOIN ticket_pain_points tpp ON tpp.pain_point_id = ppi.pain_point_id
      JOIN tickets t ON t.ticket_id = tpp.ticket_id
      WHERE ppi.incident_id = ic.incident_id
        AND t.customer_id = ic.customer_id
        AND t.created_at < :as_of
  )
ORDER BY ic.incident_id, ic.customer_id
