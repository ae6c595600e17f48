-- File a row that failed validation, with its source, row number, rule and raw content; a row already
-- quarantined by an earlier run of the same interval is not filed twice.
-- Binds: :table_name, :source, :row_number, :rule, :detail, :raw, :interval_start, :interval_end, :loaded_at
INSERT INTO quarantine (table_name, source, row_number, rule, detail, raw, interval_start, interval_end, loaded_at)
VALUES (:table_name, :source, :row_number, :rule, :detail, :raw, :interval_start, :interval_end, :loaded_at)
ON CONFLICT (table_name, source, row_number, rule) DO NOTHING
