"""Embed each distinct text once, ever: vectors are kept in a store between runs.

A daily run clusters the whole ticket window again, but only the tickets that came in since the
last run are new; embedding is most of a run's time (57 of 81 s at 50,000 tickets), so the
vectors of texts seen before are read back instead. The store is a small interface (the pipeline
keeps it in the warehouse); texts are keyed by a SHA-256 of their bytes, so the store never holds
ticket text, and by the embedder's name, so a vector never meets one from another model.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np

from detectors.painpoints.embedder import Embedder, Progress, has_fixed_vectors


class VectorStore(Protocol):
    """Where vectors live between runs, keyed by (embedder name, text digest)."""

    def load(self, embedder: str, digests: Sequence[str]) -> Mapping[str, np.ndarray]:
        """Return the stored vector of each digest that has one (others are left out)."""
        ...

    def save(self, embedder: str, vectors: Mapping[str, np.ndarray]) -> None:
        """Keep these vectors; a digest already stored may be kept as it was."""
        ...


class MemoryVectorStore:
    """Vectors kept in this process only: for callers that embed the same texts many times in one go."""

    def __init__(self) -> None:
        self._rows: dict[tuple[str, str], np.ndarray] = {}

    def load(self, embedder: str, digests: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors of ``digests`` under ``embedder``."""
        return {d: self._rows[(embedder, d)] for d in digests if (embedder, d) in self._rows}

    def save(self, embedder: str, vectors: Mapping[str, np.ndarray]) -> None:
        """Keep new vectors; a digest stored before keeps its first vector."""
        for digest, vector in vectors.items():
            self._rows.setdefault((embedder, digest), vector)


def text_digest(text: str) -> str:
    """Hex SHA-256 of the text's UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class StoredEmbedder:
    """Wrap a pretrained embedder so texts already in ``store`` are not embedded again.

    Only for embedders whose vector of a text never changes (``fixed_vectors``): one that is
    fitted on each run's texts (TF-IDF/LSA, or MiniLM before its token weights are fitted) has a
    new space every run, and storing it would mix spaces. Fit such a model first and keep its
    weights (the pipeline stores them per run): the fitted copy's name carries the weights' digest.

    Args:
        inner: the embedder that computes missing vectors.
        store: where vectors are read from and written to.
    """

    def __init__(self, inner: Embedder, store: VectorStore) -> None:
        if not has_fixed_vectors(inner):
            raise ValueError(
                f"{inner.name} is fitted per run: its vectors cannot be stored across runs "
                "(store a fitted copy, e.g. embedder.fit(texts), whose vectors stay the same)"
            )
        self.inner = inner
        self.store = store
        self.name = inner.name
        self.reused_ = 0
        self.embedded_ = 0

    def embed(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """Return one unit row per text; embeds and stores only texts the store lacks."""
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        digests = [text_digest(t) for t in texts]
        known = dict(self.store.load(self.name, list(dict.fromkeys(digests))))
        missing = list(dict.fromkeys(d for d in digests if d not in known))
        if missing:
            text_of = dict(zip(digests, texts, strict=True))
            fresh = self.inner.embed([text_of[d] for d in missing], progress)
            new = dict(zip(missing, np.asarray(fresh, dtype=np.float32), strict=True))
            self.store.save(self.name, new)
            known.update(new)
        elif progress is not None:
            progress(len(texts), len(texts))
        self.reused_, self.embedded_ = len(set(digests)) - len(missing), len(missing)
        return np.stack([known[d] for d in digests]).astype(np.float32, copy=False)


class CachingEmbedder(StoredEmbedder):
    """``StoredEmbedder`` over a ``MemoryVectorStore``: one process (e.g. a backtest over many
    as-ofs) embeds each text once."""

    def __init__(self, inner: Embedder) -> None:
        super().__init__(inner, MemoryVectorStore())
