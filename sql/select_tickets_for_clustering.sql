-- Redacted ticket text in the rolling window before :as_of, in a stable order (the clusterer's input).
-- Binds: :since, :as_of
SELECT t.ticket_id, t.customer_id, t.created_at, t.subject_redacted, t.body_redacted, c.mrr AS mrr
FROM tickets t
LEFT JOIN customers c ON c.customer_id = t.customer_id
WHERE t.created_at >= :since AND t.created_at < :as_of
ORDER BY t.created_at, t.ticket_id
