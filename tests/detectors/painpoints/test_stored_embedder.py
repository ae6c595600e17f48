"""Stored vectors: a text is embedded once, ever; later runs read its vector back."""

from __future__ import annotations

import numpy as np
import pytest

from detectors.painpoints import TfidfLsaEmbedder
from detectors.painpoints.stored_embedder import StoredEmbedder, text_digest


class _DictStore:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], np.ndarray] = {}

    def load(self, embedder, digests):
        return {d: self.rows[(embedder, d)] for d in digests if (embedder, d) in self.rows}

    def save(self, embedder, vectors):
        for digest, vector in vectors.items():
            self.rows.setdefault((embedder, digest), vector.copy())


class _CountingEmbedder:
    """Deterministic vectors from a text's digest; remembers which texts it was asked for."""

    name = "counting-test-model"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def embed(self, texts, progress=None):
        self.calls.append(list(texts))
        rows = [np.random.default_rng(int(text_digest(t)[:8], 16)).normal(size=8) for t in texts]
        return np.array([r / np.linalg.norm(r) for r in rows], dtype=np.float32)


def test_second_run_embeds_only_texts_it_has_not_seen():
    store, inner = _DictStore(), _CountingEmbedder()
    first = StoredEmbedder(inner, store).embed(["card declined", "refund missing", "card declined"])
    embedder = StoredEmbedder(inner, store)
    second = embedder.embed(["refund missing", "app crashes on login", "card declined"])

    assert inner.calls == [["card declined", "refund missing"], ["app crashes on login"]]
    assert (embedder.reused_, embedder.embedded_) == (2, 1)
    np.testing.assert_array_equal(second[0], first[1])
    np.testing.assert_array_equal(second[2], first[0])
    np.testing.assert_array_equal(second[1], inner.embed(["app crashes on login"])[0])


def test_vectors_of_another_model_are_not_reused():
    store = _DictStore()
    StoredEmbedder(_CountingEmbedder(), store).embed(["card declined"])
    other = _CountingEmbedder()
    other.name = "another-model"
    StoredEmbedder(other, store).embed(["card declined"])
    assert other.calls == [["card declined"]]


def test_store_holds_digests_not_ticket_text():
    store = _DictStore()
    StoredEmbedder(_CountingEmbedder(), store).embed(["my IBAN is in this ticket"])
    (key,) = store.rows
    assert key == ("counting-test-model", text_digest("my IBAN is in this ticket"))
    assert "IBAN" not in "".join(key)


def test_an_embedder_fitted_per_run_is_refused():
    with pytest.raises(ValueError, match="fitted per run"):
        StoredEmbedder(TfidfLsaEmbedder(), _DictStore())


def test_no_texts_give_no_rows_and_touch_nothing():
    inner = _CountingEmbedder()
    assert StoredEmbedder(inner, _DictStore()).embed([]).shape[0] == 0
    assert inner.calls == []
