-- Keep a text's vector; a concurrent run that stored it first wins (same model, same vector).
-- Binds: :embedder, :text_sha256, :dim, :vector, :stored_at
INSERT INTO text_embeddings (embedder, text_sha256, dim, vector, stored_at)
VALUES (:embedder, :text_sha256, :dim, :vector, :stored_at)
ON CONFLICT (embedder, text_sha256) DO NOTHING
