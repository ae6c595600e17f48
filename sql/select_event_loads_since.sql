-- Events loads recorded after run :after_run_id: the newest run id, and how many of them loaded rows
-- into time before :covered_until (or with no interval start), i.e. into time already aggregated.
-- Binds: :after_run_id, :covered_until
SELECT MAX(run_id),
       SUM(CASE WHEN rows_loaded > 0 AND (interval_start IS NULL OR interval_start < :covered_until) THEN 1 ELSE 0 END)
FROM ingest_runs
WHERE table_name = 'events' AND run_id > :after_run_id
