-- The stored events among a chunk's ids, to tell a rerun's unchanged rows from ids reused with other content.
-- Params: :event_ids (expanding)
SELECT event_id, customer_id, occurred_at, name FROM events WHERE event_id IN :event_ids
