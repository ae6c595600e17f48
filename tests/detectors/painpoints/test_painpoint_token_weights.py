"""IDF token weights for pooling: counted per text, kept across runs, refitted only when due."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import numpy as np
import pytest

from detectors.painpoints import (
    CachingEmbedder,
    PainPointClusterer,
    StoredEmbedder,
    TokenWeights,
    fit_token_weights,
    refit_reason,
    weights_for_run,
)
from detectors.painpoints.stored_embedder import MemoryVectorStore


def test_document_frequency_counts_each_text_once_and_rare_tokens_weigh_more():
    table = fit_token_weights([[1, 5, 5, 7], [1, 5], [1, 9]], power=1.0)
    assert table.n_texts == 3
    assert dict(table.document_frequency) == {1: 3, 5: 2, 7: 1, 9: 1}
    weights = table.weights(12, ignored=[1])
    assert weights[1] == 0.0  # e.g. [CLS]: in every text, says nothing
    assert weights[7] == weights[9] > weights[5]
    assert weights[11] > weights[7]  # never seen: rarest of all
    assert np.isclose(weights[5], np.log(4 / 3) + 1)


def test_power_flattens_the_weights_and_zero_is_plain_mean():
    ids = [[1, 2], [1, 3], [1, 4], [1, 2]]
    steep, flat, mean = (fit_token_weights(ids, power=p).weights(5) for p in (1.0, 0.5, 0.0))
    assert steep[3] / steep[1] > flat[3] / flat[1] > 1.0
    assert np.allclose(mean, 1.0)


def test_the_table_round_trips_through_json_and_its_digest_follows_its_counts():
    table = fit_token_weights([[3, 4], [4, 8]], power=0.5)
    again = TokenWeights.from_dict(json.loads(json.dumps(table.to_dict())))
    assert again == table and again.digest == table.digest
    assert fit_token_weights([[3, 4], [4, 9]], power=0.5).digest != table.digest
    assert fit_token_weights([[3, 4], [4, 8]], power=1.0).digest != table.digest
    with pytest.raises(ValueError, match="refit"):
        TokenWeights.from_dict({"n_texts": 2, "power": 0.5})


def test_a_table_is_kept_until_a_young_queue_doubles_or_a_month_passes():
    young = fit_token_weights([[1]] * 300)
    grown = fit_token_weights([[1]] * 3_000)
    assert refit_reason(young, 599, timedelta(days=3)) is None
    assert "grew from 300 to 600" in refit_reason(young, 600, timedelta(days=3))
    assert refit_reason(grown, 9_000, timedelta(days=29)) is None  # settled: more texts barely move IDF
    assert "30 days old" in refit_reason(grown, 3_000, timedelta(days=30))


def test_idf_pooling_lets_the_topic_word_outweigh_shared_phrasing(minilm, minilm_idf):
    # Every ticket opens with the same phrasing; only the last words tell the problem.
    queue = [
        f"hello team, I have a question about my account: {topic}"
        for topic in ("refund not received", "password reset link expired", "card declined abroad") * 10
    ]
    weighted = minilm_idf.fit(queue)
    a, b, c = (
        "hello team, I have a question about my account: refund not received",
        "hello team, I have a question about my account: still waiting for the refund",
        "hello team, I have a question about my account: card declined abroad",
    )
    plain_ab, plain_ac = (float(minilm.embed([x])[0] @ minilm.embed([y])[0]) for x, y in ((a, b), (a, c)))
    va, vb, vc = weighted.embed([a, b, c])
    # the same problem in other words stays close; another problem moves further away than under the mean
    assert float(va @ vb) > float(va @ vc)
    assert (float(va @ vb) - float(va @ vc)) > (plain_ab - plain_ac)


def test_only_fitted_weights_can_be_stored_and_they_name_their_vectors(minilm_idf):
    with pytest.raises(ValueError, match="fitted per run"):
        StoredEmbedder(minilm_idf, MemoryVectorStore())
    fitted = minilm_idf.fit(["my card was declined", "refund missing"])
    assert fitted.fixed_vectors and not minilm_idf.fixed_vectors
    assert fitted.name == f"{fitted.model_name}-idf#{fitted.token_weights.digest}"
    stored = CachingEmbedder(fitted)
    first = stored.embed(["my card was declined"])
    assert np.array_equal(first, fitted.with_token_weights(fitted.token_weights).embed(["my card was declined"]))
    # a clusterer given fitted weights keeps them instead of refitting on its own texts
    model = PainPointClusterer(embedder=fitted).fit(["my card was declined"] * 3 + ["refund missing"] * 3)
    assert model.embedder_.inner is fitted


def test_a_run_keeps_the_saved_weights_until_they_are_due_and_says_why_it_refits(minilm_idf):
    day1 = [f"refund for order {n} not received" for n in range(30)]
    fitted, state, why = weights_for_run(minilm_idf, day1, None, datetime(2026, 3, 1))
    assert why == "none were stored" and fitted.fixed_vectors
    assert state["model"] == minilm_idf.model_name and state["fitted_at"] == "2026-03-01T00:00:00"

    day2 = day1 + [f"card declined at shop {n}" for n in range(10)]
    kept, kept_state, why = weights_for_run(minilm_idf, day2, state, datetime(2026, 3, 2))
    assert why is None and kept.name == fitted.name and kept_state == state

    grown = day2 + [f"password reset link {n} expired" for n in range(30)]
    _, _, why = weights_for_run(minilm_idf, grown, state, datetime(2026, 3, 3))
    assert why == "the queue grew from 30 to 70 texts"
    _, _, why = weights_for_run(minilm_idf, day2, state, datetime(2026, 4, 1))
    assert why == "the table is 31 days old"
    _, _, why = weights_for_run(minilm_idf, day2, {**state, "model": "another-model"}, datetime(2026, 3, 2))
    assert why == "the stored ones were fitted for another-model"
    _, new_state, why = weights_for_run(minilm_idf, day2, {**state, "weights": {"n_texts": 3}}, datetime(2026, 3, 2))
    assert why.startswith("the stored ones are unreadable") and new_state["weights"]["n_texts"] == 40


class _CountingTokenizer:
    """The embedder's tokenizer, counting how often it is asked to tokenise a list of texts."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.calls = 0

    def encode_batch(self, texts: list[str]) -> list:
        self.calls += 1
        return self.inner.encode_batch(texts)

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


def test_fitting_and_embedding_the_same_texts_tokenises_them_once(minilm_idf):
    from detectors.painpoints import OnnxMiniLmEmbedder
    from detectors.painpoints.language_centring import LanguageCentredEmbedder

    texts = ["my card has not arrived", "I was charged twice", "how do I reset my password",
             "the app crashes when I open it", "can I get a refund", "where is my card"]
    counting = _CountingTokenizer(minilm_idf._tokenizer)
    unfitted = OnnxMiniLmEmbedder()
    unfitted._session, unfitted._tokenizer = minilm_idf._session, counting  # the loaded model, counted

    fitted, vectors = unfitted.fit_embed(texts)
    assert counting.calls == 1
    apart = unfitted.fit(texts)  # 2: the two steps apart, for comparison
    assert apart.token_weights.digest == fitted.token_weights.digest
    np.testing.assert_array_equal(vectors, apart.embed(texts))  # 3
    assert counting.calls == 3

    _, centred = LanguageCentredEmbedder(unfitted).fit_embed(texts)  # the clusterer's path
    assert counting.calls == 4
    np.testing.assert_array_equal(centred, vectors)  # English only: nothing to centre
    np.testing.assert_array_equal(unfitted.embed(texts), vectors)  # fits on the texts it embeds
    assert counting.calls == 5
