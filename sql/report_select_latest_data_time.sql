-- Report: the newest time any loaded data or finding refers to, the default "as of" of a report.
-- An ingest run of an interval counts up to the interval's end: the source's newest row (max_timestamp,
-- the freshness check's reading) may lie past what was loaded, and the report must not cover days
-- that were never ingested.
-- Params: none
SELECT MAX(latest) AS latest FROM (
    SELECT MAX(created_at) AS latest FROM tickets
    UNION ALL SELECT MAX(CASE WHEN interval_end IS NOT NULL AND max_timestamp > interval_end
                              THEN interval_end ELSE max_timestamp END) FROM ingest_runs
    UNION ALL SELECT MAX(detected_at) FROM incidents
    UNION ALL SELECT MAX(as_of) FROM pain_points
) candidates
