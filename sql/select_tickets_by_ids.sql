-- Tickets by id, in the form the pain-point run reads them (redacted text, author, plan value).
-- Binds: :ticket_ids (expanding list)
SELECT t.ticket_id, t.customer_id, t.created_at, t.subject_redacted, t.body_redacted, c.mrr AS mrr
FROM tickets t
LEFT JOIN customers c ON c.customer_id = t.customer_id
WHERE t.ticket_id IN :ticket_ids
