-- Rebuild, per customer and signature, the first and last exposure and the event count before :until.
-- Binds: :until
INSERT INTO customer_signature_exposure (customer_id, signature_id, first_exposed_at, last_exposed_at, event_count)
SELECT customer_id, signature_id, MIN(occurred_at), MAX(occurred_at), COUNT(*)
FROM events
WHERE signature_id IS NOT NULL AND occurred_at < :until
GROUP BY customer_id, signature_id
