-- Report: the newest time any data or finding refers to, the default "as of" of a report.
-- Params: none
SELECT MAX(latest) AS latest FROM (
    SELECT MAX(created_at) AS latest FROM tickets
    UNION ALL SELECT MAX(max_timestamp) FROM ingest_runs
    UNION ALL SELECT MAX(detected_at) FROM incidents
    UNION ALL SELECT MAX(as_of) FROM pain_points
) candidates
