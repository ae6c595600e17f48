-- Stored vectors of some texts of one embedder.
-- Binds: :embedder, :digests (expanding list of SHA-256 hex digests)
SELECT text_sha256, dim, vector FROM text_embeddings WHERE embedder = :embedder AND text_sha256 IN :digests
