-- Every incident's affected customers with their first exposure before :as_of.
-- Binds: :as_of
SELECT incident_id, customer_id, first_exposed_at FROM incident_customers WHERE first_exposed_at < :as_of
