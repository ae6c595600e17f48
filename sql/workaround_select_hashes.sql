-- Purpose: id and content hash of every stored workaround, to skip unchanged files on reload.
-- Params: none.
SELECT workaround_id, content_hash FROM workarounds
