-- Insert new tickets and update changed ones (status and CSAT change over a ticket's life); unchanged
-- rows are left alone so a rerun of an interval changes nothing.
-- Binds: :ticket_id, :customer_id, :created_at, :subject, :body, :subject_redacted, :body_redacted, :channel,
--        :status, :tags, :csat, :extra, :source, :loaded_at
INSERT INTO tickets (ticket_id, customer_id, created_at, subject, body, subject_redacted, body_redacted,
                     channel, status, tags, csat, extra, source, loaded_at)
VALUES (:ticket_id, :customer_id, :created_at, :subject, :body, :subject_redacted, :body_redacted,
        :channel, :status, :tags, :csat, :extra, :source, :loaded_at)
ON CONFLICT (ticket_id) DO UPDATE SET
    customer_id = excluded.customer_id,
    created_at = excluded.created_at,
    subject = excluded.subject,
    body = excluded.body,
    subject_redacted = excluded.subject_redacted,
    body_redacted = excluded.body_redacted,
    channel = excluded.channel,
    status = excluded.status,
    tags = excluded.tags,
    csat = excluded.csat,
    extra = excluded.extra,
    source = excluded.source,
    loaded_at = excluded.loaded_at
WHERE tickets.customer_id IS DISTINCT FROM excluded.customer_id
   OR tickets.created_at IS DISTINCT FROM excluded.created_at
   OR tickets.subject IS DISTINCT FROM excluded.subject
   OR tickets.body IS DISTINCT FROM excluded.body
   OR tickets.channel IS DISTINCT FROM excluded.channel
   OR tickets.status IS DISTINCT FROM excluded.status
   OR tickets.tags IS DISTINCT FROM excluded.tags
   OR tickets.csat IS DISTINCT FROM excluded.csat
   OR tickets.extra IS DISTINCT FROM excluded.extra
