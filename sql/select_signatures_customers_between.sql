-- Customers who hit any of several signatures (one bug on several platforms) in [:start, :end): the
-- affected customers of a spike. :signature_ids is an expanding list.
-- Binds: :signature_ids, :start, :end
SELECT customer_id, MIN(occurred_at) AS first_exposed_at, COUNT(*) AS event_count
FROM events
WHERE signature_id IN :signature_ids AND occurred_at >= :start AND occurred_at < :end
GROUP BY customer_id
