-- Record how many rows a source held for one hour of one table when this load read it.
-- Binds: :source_digest, :table_name, :hour, :rows, :counted_at
INSERT INTO source_hour_counts (source_digest, table_name, hour, rows, counted_at)
VALUES (:source_digest, :table_name, :hour, :rows, :counted_at)
ON CONFLICT (source_digest, table_name, hour) DO UPDATE SET rows = excluded.rows, counted_at = excluded.counted_at
