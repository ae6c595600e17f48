-- Purpose: which of these sg_event_ids are already stored (so only new events change suppressions).
-- Params: :sg_event_ids (expanding list)
SELECT sg_event_id FROM email_events WHERE sg_event_id IN :sg_event_ids
