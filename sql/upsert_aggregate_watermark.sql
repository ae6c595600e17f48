-- Record how far an aggregate set reaches after a refresh.
-- Binds: :name, :covered_until, :ingest_run_id, :refreshed_at
INSERT INTO aggregate_watermarks (name, covered_until, ingest_run_id, refreshed_at)
VALUES (:name, :covered_until, :ingest_run_id, :refreshed_at)
ON CONFLICT (name) DO UPDATE SET covered_until = excluded.covered_until, ingest_run_id = excluded.ingest_run_id,
                                 refreshed_at = excluded.refreshed_at
