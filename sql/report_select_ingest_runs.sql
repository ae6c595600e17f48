-- Report: ingest figures per table. Runs count towards the period when their data interval overlaps it
-- (an unbounded interval overlaps every period), so a backfill of last week still shows in last week's
-- report; freshness is the newest source timestamp loaded by any run starting before the report's end.
-- Params: :start (timestamp, inclusive), :end (timestamp, exclusive)
SELECT table_name,
       SUM(CASE WHEN in_period = 1 THEN 1 ELSE 0 END) AS runs,
       SUM(CASE WHEN in_period = 1 AND status IN ('failed', 'error') THEN 1 ELSE 0 END) AS failed_runs,
       SUM(CASE WHEN in_period = 1 THEN rows_loaded ELSE 0 END) AS rows_loaded,
       SUM(CASE WHEN in_period = 1 THEN rows_quarantined ELSE 0 END) AS rows_quarantined,
       MAX(max_timestamp) AS max_timestamp,
       MAX(finished_at) AS last_finished_at
FROM (
    SELECT table_name, status, rows_loaded, rows_quarantined, max_timestamp, finished_at,
           CASE WHEN interval_end IS NULL OR interval_end > :start THEN 1 ELSE 0 END AS in_period
    FROM ingest_runs
    WHERE interval_start IS NULL OR interval_start < :end
) runs
GROUP BY table_name
ORDER BY table_name
