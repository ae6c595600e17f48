"""The embed stage: offline MiniLM (ONNX and PyTorch agree), TF-IDF/LSA fallback, cache."""

from __future__ import annotations

import numpy as np
import pytest

from detectors.painpoints import CachingEmbedder, EmbedderUnavailableError, MiniLmEmbedder, TfidfLsaEmbedder

TEXTS = ["My card payment was declined abroad", "I cannot reset my password", "Where is my refund?"]


def test_onnx_model_matches_the_pytorch_model(minilm):
    torch_model = MiniLmEmbedder()
    try:
        reference = torch_model.embed(TEXTS)
    except EmbedderUnavailableError as exc:
        pytest.skip(str(exc))
    fast = minilm.embed(TEXTS)
    assert fast.shape == (3, 384)
    assert np.allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-4)
    assert (np.sum(fast * reference, axis=1) >= 0.999).all()


def test_a_text_gets_the_same_vector_whatever_it_is_batched_with(minilm):
    alone = minilm.inner.embed(TEXTS[:1])
    batched = minilm.inner.embed([*TEXTS, "a much longer ticket about a transfer that never arrived " * 5])
    assert float(alone[0] @ batched[0]) >= 0.9999


def test_paraphrases_are_closer_than_different_problems(minilm):
    a, b, c = minilm.embed(
        ["My card was declined in a shop", "The shop declined my card payment", "How do I change my PIN?"]
    )
    assert a @ b > a @ c + 0.2


def test_tfidf_fallback_learns_its_vocabulary_once():
    fitted = TfidfLsaEmbedder(n_components=2).fit(TEXTS * 3)
    first = fitted.embed(TEXTS)
    assert first.shape[0] == 3
    assert np.allclose(fitted.embed(TEXTS), first)  # the same space on every call
    assert TfidfLsaEmbedder()._vectorizer is None  # fit returned a copy
    # Two fits on different tickets are different spaces, and say so in their names.
    other = TfidfLsaEmbedder(n_components=2).fit(["refund missing", "refund late", "app crash"])
    assert fitted.name != other.name and fitted.name.startswith("tfidf-lsa")


def test_cache_embeds_each_text_once():
    calls: list[int] = []

    class Counting:
        name = "counting"

        def embed(self, texts, progress=None):
            calls.append(len(texts))
            return np.eye(len(texts), 4, dtype=np.float32)

    cache = CachingEmbedder(Counting())
    cache.embed(["a", "b"])
    out = cache.embed(["b", "a", "c"])
    assert calls == [2, 1]
    assert out.shape == (3, 4)
