-- Purpose: insert a workaround or replace it by id (the caller skips rows whose content hash is unchanged).
-- Params: :workaround_id, :title, :status, :applies_to (JSON), :body_markdown, :source_path, :content_hash,
--         :language, :translations (JSON or NULL), :loaded_at, :pre_approved_max_audience
INSERT INTO workarounds (workaround_id, title, status, applies_to, body_markdown, source_path, content_hash,
                         language, translations, loaded_at, pre_approved_max_audience)
VALUES (:workaround_id, :title, :status, :applies_to, :body_markdown, :source_path, :content_hash,
        :language, :translations, :loaded_at, :pre_approved_max_audience)
ON CONFLICT (workaround_id) DO UPDATE SET
    title = excluded.title,
    status = excluded.status,
    applies_to = excluded.applies_to,
    body_markdown = excluded.body_markdown,
    source_path = excluded.source_path,
    content_hash = excluded.content_hash,
    language = excluded.language,
    translations = excluded.translations,
    loaded_at = excluded.loaded_at,
    pre_approved_max_audience = excluded.pre_approved_max_audience
WHERE workarounds.content_hash IS NULL OR workarounds.content_hash <> excluded.content_hash
