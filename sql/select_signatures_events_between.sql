-- Every event of several signatures (one bug on several platforms) in [:start, :end), by customer: the
-- bug's usual traffic in the week before a spike, counted per customer to tell it from the spike's.
-- Binds: :signature_ids (expanding), :start, :end
SELECT customer_id, occurred_at
FROM events
WHERE signature_id IN :signature_ids AND occurred_at >= :start AND occurred_at < :end
