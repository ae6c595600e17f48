-- Drop vectors stored before a time (texts of tickets that left the window).
-- Binds: :before
DELETE FROM text_embeddings WHERE stored_at < :before
