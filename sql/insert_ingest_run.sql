-- Record one table's load of one interval, with counts that add up (read = in interval + outside;
-- in interval = loaded + unchanged + quarantined, where loaded_rows counts new or changed rows).
-- Binds: :source, :table_name, :interval_start, :interval_end, :rows_read, :rows_in_interval, :rows_loaded,
--        :rows_quarantined, :rows_untimed_quarantined, :max_timestamp, :started_at, :finished_at, :status
-- rows_untimed_quarantined: the quarantined rows without a readable time, filed by every bounded load of the file
INSERT INTO ingest_runs (source, table_name, interval_start, interval_end, rows_read, rows_in_interval, rows_loaded,
                         rows_quarantined, rows_untimed_quarantined, max_timestamp, started_at, finished_at, status)
VALUES (:source, :table_name, :interval_start, :interval_end, :rows_read, :rows_in_interval, :rows_loaded,
        :rows_quarantined, :rows_untimed_quarantined, :max_timestamp, :started_at, :finished_at, :status)
