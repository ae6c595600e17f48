-- Per customer and signature, the first exposure and event count (rebuilt up to the as-of).
SELECT signature_id, customer_id, first_exposed_at, event_count FROM customer_signature_exposure
