-- Report: rows quarantined by loads whose data interval overlaps the period (an unbounded interval
-- overlaps every period), per table and validation rule, most first.
-- Params: :start (timestamp, inclusive), :end (timestamp, exclusive)
SELECT table_name, rule, COUNT(*) AS rows_quarantined
FROM quarantine
WHERE (interval_start IS NULL OR interval_start < :end)
  AND (interval_end IS NULL OR interval_end > :start)
GROUP BY table_name, rule
ORDER BY COUNT(*) DESC, table_name, rule
