-- Purpose: keep an event that cannot be stored (no event name, no timestamp, not an object) with the
--   reason, so nothing is silently dropped.
-- Params: :source, :row_number, :rule, :detail, :raw, :loaded_at
INSERT INTO quarantine (table_name, source, row_number, rule, detail, raw, loaded_at)
VALUES ('email_events', :source, :row_number, :rule, :detail, :raw, :loaded_at)
ON CONFLICT (table_name, source, row_number, rule) DO NOTHING
