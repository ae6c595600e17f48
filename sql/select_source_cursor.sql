-- Where a pulling source stopped for one data interval (no row: it has not started).
-- Binds: :stream, :interval_start
SELECT cursor, pages, end_of_stream FROM source_cursors WHERE stream = :stream AND interval_start = :interval_start
