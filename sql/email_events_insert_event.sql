-- Purpose: store one SendGrid Event Webhook event, once: a repeated sg_event_id (SendGrid retries
--   a POST until it gets a 2xx) is ignored.
-- Params: :sg_event_id, :message_id, :campaign_id, :customer_id, :event, :occurred_at, :reason, :raw, :received_at
INSERT INTO email_events (
    sg_event_id, message_id, campaign_id, customer_id, event, occurred_at, reason, raw, received_at
) VALUES (
    :sg_event_id, :message_id, :campaign_id, :customer_id, :event, :occurred_at, :reason, :raw, :received_at
)
ON CONFLICT (sg_event_id) DO NOTHING
