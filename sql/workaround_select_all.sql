-- Purpose: every stored workaround, ordered by id (callers filter on status).
-- Params: none.
SELECT workaround_id, title, status, applies_to, body_markdown, source_path, content_hash, language, translations,
       pre_approved_max_audience
FROM workarounds
ORDER BY workaround_id
