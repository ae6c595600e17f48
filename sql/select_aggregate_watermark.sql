-- How far an aggregate set reaches (no row: never refreshed).
-- Binds: :name
SELECT covered_until, ingest_run_id FROM aggregate_watermarks WHERE name = :name
