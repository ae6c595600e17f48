-- The newest load of each table for one interval (null bounds match null bounds), for the interval gate.
-- A late-arrival load (status 'late', rows of earlier hours that reached the source since) is no load of
-- the interval it happens to span.
-- Binds: :interval_start, :interval_end
SELECT r.table_name, r.rows_read, r.rows_in_interval, r.rows_loaded, r.rows_quarantined,
       r.rows_untimed_quarantined, r.max_timestamp, r.finished_at
FROM ingest_runs r
WHERE r.run_id IN (
    SELECT MAX(run_id) FROM ingest_runs
    WHERE interval_start IS NOT DISTINCT FROM :interval_start
      AND interval_end IS NOT DISTINCT FROM :interval_end
      AND status <> 'late'
    GROUP BY table_name
)
ORDER BY r.table_name
