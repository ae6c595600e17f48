-- The keys a source mapping may join tickets and events to customers by: the id, the email, and the
-- extra columns kept from the customers' source (e.g. a help desk's or an event pipeline's user id).
-- Binds: none
SELECT customer_id, email, extra FROM customers
