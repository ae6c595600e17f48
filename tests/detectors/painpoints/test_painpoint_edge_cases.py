"""Inputs real ticket exports contain: nothing, one ticket, copies, other languages, huge bodies, noise."""

from __future__ import annotations

import numpy as np
import pytest

from detectors.painpoints import PainPointClusterer, TfidfLsaEmbedder


def _fit(texts, embedder=None, **params):
    return PainPointClusterer(embedder=embedder or TfidfLsaEmbedder(), **params).fit(texts)


def test_empty_input_is_a_clear_error():
    with pytest.raises(ValueError, match="no tickets"):
        PainPointClusterer(embedder=TfidfLsaEmbedder()).fit([])


def test_a_bare_string_or_non_text_is_a_clear_error():
    with pytest.raises(ValueError, match="single string"):
        PainPointClusterer(embedder=TfidfLsaEmbedder()).fit("card declined")
    with pytest.raises(ValueError, match=r"X\[1\] is int"):
        PainPointClusterer(embedder=TfidfLsaEmbedder()).fit(["card declined", 42])


def test_one_ticket_is_left_unassigned():
    model = _fit(["my card was declined abroad"])
    assert model.labels_.tolist() == [-1]
    assert model.pain_points_ == ()
    assert model.predict(["card declined"]).tolist() == [-1]


def test_identical_texts_form_one_pain_point():
    model = _fit(["The app crashes when I open settings"] * 40)
    assert model.labels_.tolist() == [0] * 40
    assert len(model.pain_points_) == 1
    assert model.pain_points_[0].ticket_count == 40
    assert "crashes" in model.pain_points_[0].label or "settings" in model.pain_points_[0].label


def test_punctuation_only_texts_are_unassigned_not_clustered():
    texts = ["???", "!!!", "...", "", "   "] * 5 + ["I cannot log in to my account"] * 10
    model = _fit(texts)
    assert (model.labels_[:25] == -1).all()
    assert (model.labels_[25:] == 0).all()


def test_only_punctuation_gives_no_pain_points():
    model = _fit(["?!", "...", "---"] * 4)
    assert (model.labels_ == -1).all() and model.pain_points_ == ()


def test_non_english_and_huge_bodies_cluster_without_error(minilm_idf):
    rng = np.random.default_rng(0)
    german = ["Meine Karte wurde im Ausland abgelehnt", "Karte abgelehnt beim Bezahlen im Ausland"]
    spanish = ["No puedo restablecer mi contraseña", "olvidé mi contraseña y no llega el correo"]
    huge = "My export to CSV times out. " + "log line: timeout while writing rows. " * 600  # ~22 KB
    texts = [german[i % 2] + f" ({i})" for i in range(12)] + [spanish[i % 2] + f" ({i})" for i in range(12)]
    texts += [huge + str(i) for i in range(12)]
    order = rng.permutation(len(texts))
    model = PainPointClusterer(embedder=minilm_idf).fit([texts[i] for i in order])
    labels = np.empty(len(texts), dtype=int)
    labels[order] = model.labels_
    assert len(huge) > 20_000
    # Every ticket gets a home (the English model may group foreign phrasings loosely), and the
    # 22 KB bodies, truncated for the model, stay together.
    assert (labels >= 0).mean() >= 0.9
    assert len(set(labels[24:].tolist())) == 1
    assert all(len(t) <= 300 for p in model.pain_points_ for t in p.representative_texts)


def test_bad_parameters_are_clear_errors():
    with pytest.raises(ValueError, match="min_cluster_size"):
        _fit(["a b"] * 5, min_cluster_size=0)
    with pytest.raises(ValueError, match="prior_groups has 2 values for 5 texts"):
        PainPointClusterer(embedder=TfidfLsaEmbedder()).fit(["a b"] * 5, prior_groups=[0, 1])
