-- Report: ingest figures per table: runs, rows loaded and quarantined during the period, and the
-- newest source timestamp ever loaded before the report's end (its freshness).
-- Params: :start (timestamp, inclusive), :end (timestamp, exclusive)
SELECT table_name,
       SUM(CASE WHEN started_at >= :start THEN 1 ELSE 0 END) AS runs,
       SUM(CASE WHEN started_at >= :start AND status IN ('failed', 'error') THEN 1 ELSE 0 END) AS failed_runs,
       SUM(CASE WHEN started_at >= :start THEN rows_loaded ELSE 0 END) AS rows_loaded,
       SUM(CASE WHEN started_at >= :start THEN rows_quarantined ELSE 0 END) AS rows_quarantined,
       MAX(max_timestamp) AS max_timestamp,
       MAX(finished_at) AS last_finished_at
FROM ingest_runs
WHERE started_at < :end
GROUP BY table_name
ORDER BY table_name
