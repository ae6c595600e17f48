-- The rows a source held per hour of one table when a load last read them, for hours in [:since, :until).
-- Binds: :source_digest, :table_name, :since, :until
SELECT hour, rows FROM source_hour_counts
WHERE source_digest = :source_digest AND table_name = :table_name AND hour >= :since AND hour < :until
