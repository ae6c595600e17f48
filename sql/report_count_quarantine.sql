-- Report: rows quarantined during the period, per table and validation rule, most first.
-- Params: :start (timestamp, inclusive), :end (timestamp, exclusive)
SELECT table_name, rule, COUNT(*) AS rows_quarantined
FROM quarantine
WHERE loaded_at >= :start AND loaded_at < :end
GROUP BY table_name, rule
ORDER BY COUNT(*) DESC, table_name, rule
