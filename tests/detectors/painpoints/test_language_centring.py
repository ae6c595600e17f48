"""Tickets in a second language cluster by their problem: each language centred on the main one."""

from __future__ import annotations

import glob
from datetime import date

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import normalized_mutual_info_score

from detectors.painpoints import CachingEmbedder, PainPointClusterer
from detectors.painpoints.labeling import is_languages_label
from detectors.painpoints.language_centring import (
    LanguageCentredEmbedder,
    language_offsets,
    offsets_from_dict,
    offsets_to_dict,
)
from detectors.painpoints.placement import FitMemory
from detectors.painpoints.words import text_language, tokenize
from pipeline.simulate import WorldSettings
from pipeline.simulate.world import simulate_world

ENGLISH = {
    "card": ["my card was declined at the shop", "the card does not work when I pay", "why was my card refused"],
    "refund": ["where is my refund for the order", "the refund has not arrived yet", "I am still waiting for the refund"],
    "login": ["I cannot log in to the app", "the login page shows an error", "my password is not accepted at login"],
}
GERMAN = {
    "card": ["meine Karte wurde im Laden abgelehnt", "die Karte geht nicht beim Bezahlen"],
    "refund": ["wo ist meine Erstattung für die Bestellung", "die Erstattung ist noch nicht da"],
    "login": ["ich kann mich nicht in der App anmelden", "die Anmeldung zeigt einen Fehler"],
}


class TableEmbedder:
    """Vectors looked up by text: a topic direction, plus a loud shared direction for German texts (what an
    English-only encoder does to them), plus a little noise."""

    name = "table"
    fixed_vectors = True

    def __init__(self, german_shift: float = 3.0, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        dim = 16
        topics = {topic: np.eye(dim)[i] for i, topic in enumerate(ENGLISH)}
        language = np.eye(dim)[len(ENGLISH)]
        self.table = {}
        for texts, shift in ((ENGLISH, 0.0), (GERMAN, german_shift)):
            for topic, phrases in texts.items():
                for phrase in phrases:
                    self.table[phrase] = topics[topic] + shift * language + rng.normal(0, 0.05, dim)

    def embed(self, texts, progress=None):
        vectors = np.array([self.table[t] for t in texts], dtype=np.float64)
        return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def _texts() -> list[str]:
    return [p for phrases in ENGLISH.values() for p in phrases] + [p for phrases in GERMAN.values() for p in phrases]


def test_a_second_language_is_centred_on_the_main_one_so_a_ticket_finds_its_problem():
    texts = _texts()
    plain = TableEmbedder().embed(texts)
    fitted = LanguageCentredEmbedder(TableEmbedder()).fit(texts)
    assert list(fitted.offsets) == ["German"]
    centred = fitted.embed(texts)
    english, german = len(texts) - 6, texts[-6:]
    for row, text in enumerate(german, start=english):
        topic = next(t for t, phrases in GERMAN.items() if text in phrases)
        # Uncentred, a German ticket's nearest English ticket is a matter of chance: all are far away.
        nearest = int(np.argmax(centred[row] @ centred[:english].T))
        assert texts[nearest] in ENGLISH[topic], text
        assert float(centred[row] @ centred[nearest]) > float((plain[:english] @ plain[row]).max()) + 0.3
    # The main language's vectors are not moved: stored vectors and centroids keep their space.
    np.testing.assert_allclose(centred[:english], plain[:english], atol=1e-6)


def test_a_queue_in_one_language_is_left_as_it_is():
    texts = [p for phrases in ENGLISH.values() for p in phrases]
    fitted = LanguageCentredEmbedder(TableEmbedder()).fit(texts)
    assert fitted.offsets == {}
    assert np.array_equal(fitted.embed(texts), TableEmbedder().embed(texts))


def test_a_language_too_close_to_the_main_one_or_too_small_is_not_centred():
    texts = _texts()
    # German texts that sit where English ones do (no language direction): a random group, not a language.
    assert language_offsets(texts, TableEmbedder(german_shift=0.0).embed(texts)) == {}
    # Six German texts, but the rule asks for more.
    assert language_offsets(texts, TableEmbedder().embed(texts), min_texts=7) == {}
    with pytest.raises(ValueError, match="vectors for"):
        language_offsets(texts, np.zeros((3, 16)))


def test_the_offsets_a_fit_keeps_centre_later_tickets_alike():
    texts = _texts()
    fitted = LanguageCentredEmbedder(TableEmbedder()).fit(texts)
    at_fit = fitted.embed(texts)
    memory = FitMemory.from_dict(
        FitMemory(
            fitted_at=pd.Timestamp("2026-03-01").to_pydatetime(), tickets=len(texts), embedder_name="table",
            unassigned_share=0.0, min_cluster_size=3, corrections="", language_offsets=offsets_to_dict(fitted.offsets),
        ).to_dict()
    )
    later = LanguageCentredEmbedder(TableEmbedder(), offsets_from_dict(memory.language_offsets)).embed(texts)
    np.testing.assert_allclose(later, at_fit, atol=1e-5)
    # A fit saved before languages were centred places as before.
    assert offsets_from_dict(None) == {}


def test_the_languages_of_short_tickets_are_told_by_their_function_words():
    texts = [
        "depuis la mise à jour, l'application plante sans arrêt",
        "Seit dem Update stürzt die App ab",
        "La app se cierra desde la actualización",
        "I can't log in and it's broken",
        "E-CRASH-NPE 5.14.0",
    ]
    assert [text_language(tokenize(text)) for text in texts] == ["French", "German", "Spanish", "English", None]


@pytest.fixture(scope="module")
def world_tickets(tmp_path_factory) -> pd.DataFrame:
    """A simulated queue (2,000 customers, 30 days) whose German, French and Spanish customers often write
    in their language, with each ticket's true problem."""
    out = tmp_path_factory.mktemp("world")
    simulate_world(WorldSettings(customers=2000, days=30, seed=3, start=date(2026, 1, 1)), out)
    tickets = pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in sorted(glob.glob(f"{out}/tickets*.csv"))])
    truth = pd.read_csv(out / "truth" / "ticket_pain_points.csv", dtype=str, keep_default_na=False)
    tickets = tickets.merge(truth, on="ticket_id")
    tickets["text"] = (tickets["subject"] + ". " + tickets["body"]).str.strip(". ")
    tickets["language"] = [text_language(tokenize(text)) or "English" for text in tickets["text"]]
    return tickets


def test_other_languages_tickets_join_their_problems_instead_of_one_pile(world_tickets, minilm_idf):
    texts = world_tickets["text"].tolist()
    other = (world_tickets["language"] != "English").to_numpy()
    assert 25 <= other.sum() <= 0.1 * len(texts)  # the world's share of tickets in other languages
    shared = CachingEmbedder(minilm_idf.fit(PainPointClusterer().embedding_texts(texts)))  # embed once for both fits

    def fit(centre: bool):
        model = PainPointClusterer(embedder=shared, centre_languages=centre, random_state=0).fit(texts)
        nmi = normalized_mutual_info_score(world_tickets["pain_point"][other], model.labels_[other])
        piles = [p for p in model.pain_points_ if is_languages_label(p.label)]
        return model, nmi, piles

    _, nmi_before, piles_before = fit(False)
    model, nmi_after, piles_after = fit(True)
    # Without centring, the English-only encoder piles them up by language (NMI about 0.17, one pile);
    # centred, most find their problem (about 0.85).
    assert piles_before and nmi_before < 0.4
    assert not piles_after and nmi_after > 0.7
    assert set(model.embedder_.offsets) == {"German", "French", "Spanish"}
    everyone = normalized_mutual_info_score(world_tickets["pain_point"], model.labels_)
    assert everyone > 0.9
