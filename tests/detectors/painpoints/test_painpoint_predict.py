"""Assigning new tickets to fitted pain points."""

from __future__ import annotations

import numpy as np
import pytest
from painpoint_synthetic import TOPICS, make_tickets
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from detectors.painpoints import PainPointClusterer, TfidfLsaEmbedder


def test_predict_before_fit_raises_not_fitted():
    with pytest.raises(NotFittedError):
        PainPointClusterer().predict(["hello"])


def test_estimator_is_cloneable_and_repeatable():
    texts, _ = make_tickets()
    model = PainPointClusterer(embedder=TfidfLsaEmbedder(), random_state=3)
    first = clone(model).fit(texts).labels_
    second = clone(model).fit(texts).labels_
    assert np.array_equal(first, second)


def test_new_tickets_join_the_pain_point_of_their_topic(minilm_idf):
    texts, truth = make_tickets(seed=1)
    model = PainPointClusterer(embedder=minilm_idf).fit(texts)
    cluster_of = {}
    for label, topic in zip(model.labels_, truth, strict=True):
        cluster_of.setdefault(topic, label)
    new = ["Hello, my password reset email never arrives", "Why is my invoice amount wrong?"]
    assert model.predict(new).tolist() == [cluster_of["password"], cluster_of["invoice"]]
    assert TOPICS  # the fixture topics are the ones above


def test_unrelated_text_is_not_forced_into_a_pain_point(banking77_model):
    predicted = banking77_model.predict(["The weather in Lisbon is lovely in May", "My cat only eats tuna"])
    assert predicted.tolist() == [-1, -1]


@pytest.mark.slow
def test_predict_on_fitted_texts_agrees_with_fit(banking77, banking77_model):
    sample = banking77["text"].iloc[::10].tolist()
    fitted = banking77_model.labels_[::10]
    agree = np.mean(banking77_model.predict(sample) == fitted)
    assert agree >= 0.85
