-- Purpose: one workaround by id (approval re-checks that it is still approved).
-- Params: :workaround_id
SELECT workaround_id, title, status, applies_to, body_markdown, source_path, content_hash
FROM workarounds
WHERE workaround_id = :workaround_id
