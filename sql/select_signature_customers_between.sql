-- Customers who hit one signature in [:start, :as_of): the affected customers of a spike.
-- Binds: :signature_id, :start, :as_of
SELECT customer_id, MIN(occurred_at) AS first_exposed_at, COUNT(*) AS event_count
FROM events
WHERE signature_id = :signature_id AND occurred_at >= :start AND occurred_at < :as_of
GROUP BY customer_id
