"""The warehouse as the pain-point embedder's ``VectorStore``: vectors survive between runs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import numpy as np
from sqlalchemy import Engine

from sql import expanding_texts, statement

_CHUNK = 900  # digests per IN list: below SQLite's oldest limit of 999 bound variables


class WarehouseVectorStore:
    """Vectors in table ``text_embeddings``, stored with the as-of of the run that embedded them.

    Each ``save`` is its own transaction: vectors computed before a later step of the run fails
    are kept, and a rerun finds them.
    """

    def __init__(self, engine: Engine, as_of: datetime) -> None:
        self.engine = engine
        self.as_of = as_of

    def load(self, embedder: str, digests: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors of ``digests`` under ``embedder``."""
        query = statement("text_embeddings_select").bindparams(expanding_texts("digests"))
        found: dict[str, np.ndarray] = {}
        with self.engine.connect() as connection:
            for start in range(0, len(digests), _CHUNK):
                chunk = list(digests[start : start + _CHUNK])
                for digest, dim, blob in connection.execute(query, {"embedder": embedder, "digests": chunk}):
                    vector = np.frombuffer(bytes(blob), dtype="<f4")
                    if vector.size == dim:  # a torn or foreign row is embedded again, not trusted
                        found[digest] = vector
        return found

    def save(self, embedder: str, vectors: Mapping[str, np.ndarray]) -> None:
        """Store new vectors (float32, little-endian)."""
        if not vectors:
            return
        rows = [
            {
                "embedder": embedder,
                "text_sha256": digest,
                "dim": int(vector.size),
                "vector": np.asarray(vector, dtype="<f4").tobytes(),
                "stored_at": self.as_of,
            }
            for digest, vector in vectors.items()
        ]
        with self.engine.begin() as connection:
            connection.execute(statement("text_embeddings_insert"), rows)

    def prune(self, before: datetime) -> int:
        """Drop vectors stored before ``before``; returns how many went."""
        with self.engine.begin() as connection:
            return connection.execute(statement("text_embeddings_delete_before"), {"before": before}).rowcount
