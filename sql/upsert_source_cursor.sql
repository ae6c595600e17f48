-- Record a pulling source's cursor after a page has landed (the page file is written first).
-- Binds: :stream, :interval_start, :cursor, :pages, :end_of_stream, :updated_at
INSERT INTO source_cursors (stream, interval_start, cursor, pages, end_of_stream, updated_at)
VALUES (:stream, :interval_start, :cursor, :pages, :end_of_stream, :updated_at)
ON CONFLICT (stream, interval_start) DO UPDATE SET
  cursor = excluded.cursor, pages = excluded.pages, end_of_stream = excluded.end_of_stream, updated_at = excluded.updated_at
