-- Add the events in [:since, :until) to each customer's exposure to each signature: first and last
-- exposure and event count. Rows already there cover only events before :since, so counts add.
-- Binds: :since, :until
INSERT INTO customer_signature_exposure (customer_id, signature_id, first_exposed_at, last_exposed_at, event_count)
SELECT customer_id, signature_id, MIN(occurred_at), MAX(occurred_at), COUNT(*)
FROM events
WHERE signature_id IS NOT NULL AND occurred_at >= :since AND occurred_at < :until
GROUP BY customer_id, signature_id
ON CONFLICT (customer_id, signature_id) DO UPDATE SET
    first_exposed_at = CASE WHEN excluded.first_exposed_at < customer_signature_exposure.first_exposed_at
                            THEN excluded.first_exposed_at ELSE customer_signature_exposure.first_exposed_at END,
    last_exposed_at = CASE WHEN excluded.last_exposed_at > customer_signature_exposure.last_exposed_at
                           THEN excluded.last_exposed_at ELSE customer_signature_exposure.last_exposed_at END,
    event_count = customer_signature_exposure.event_count + excluded.event_count
