"""Quality on real support text: BANKING77, scored against its 77 intents (never given to the clusterer)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from detectors.painpoints import PainPointClusterer

pytestmark = pytest.mark.slow


def _scores(truth: np.ndarray, labels: np.ndarray) -> tuple[float, float, float]:
    """NMI, ARI, Hungarian accuracy over all rows; unassigned rows are one extra, never-correct cluster."""
    truth = pd.factorize(truth)[0]
    assigned = labels >= 0
    full = np.where(assigned, labels, labels.max() + 1)
    _, clusters = np.unique(labels[assigned], return_inverse=True)
    table = np.zeros((clusters.max() + 1, truth.max() + 1))
    np.add.at(table, (clusters, truth[assigned]), 1)
    rows, cols = linear_sum_assignment(-table)
    acc = table[rows, cols].sum() / len(truth)
    return normalized_mutual_info_score(truth, full), adjusted_rand_score(truth, full), acc


def test_banking77_quality_matches_measured_level(banking77, banking77_model):
    # Measured with the defaults in float32 (ONNX MiniLM pooled with IDF token weights, PCA-128,
    # consensus Louvain): NMI 0.834, ARI 0.609, ACC 0.703, 0.2% unassigned, 83 pain points (int8:
    # 0.832 / 0.607 / 0.698). Plain mean pooling gave 0.813 / 0.558 / 0.665 and fails these floors.
    # The NMI target (0.85) is NOT reached; ARI (0.60) and, in float32, ACC (0.70) are.
    # Since the resolution is read from the data (granularity.py) the full set gets about 99 pain
    # points instead of 83 (int8 NMI 0.830): accuracy, which counts one pain point per intent,
    # measured 0.673, so its floor is 0.66; NMI and ARI keep theirs.
    nmi, ari, acc = _scores(banking77["category"].to_numpy(), banking77_model.labels_)
    assert nmi >= 0.825
    assert ari >= 0.59
    assert acc >= 0.66


def test_banking77_few_unassigned_and_a_plausible_number_of_pain_points(banking77_model):
    share = float(np.mean(banking77_model.labels_ == -1))
    assert share <= 0.10
    assert 50 <= len(banking77_model.pain_points_) <= 150


def test_a_small_queue_keeps_its_pain_points_apart(tmp_path, minilm_idf):
    # 289 tickets of 26 pain points (a 1,000-customer simulated month, one-off questions left out).
    # A square root of the queue size as resolution merged them into 8 groups, the fourth root into
    # 12 (NMI 0.831, ARI 0.580); the resolution read from the data (granularity.py) gives 16 groups,
    # NMI 0.866, ARI 0.675 (float32 vectors).
    from datetime import date

    from pipeline.simulate import WorldSettings, simulate_world

    simulate_world(WorldSettings(customers=1000, seed=3, start=date(2026, 1, 1), dirty=False), tmp_path)
    tickets = pd.concat([pd.read_csv(path) for path in sorted(tmp_path.glob("tickets*.csv"))])
    truth = pd.read_csv(tmp_path / "truth" / "ticket_pain_points.csv")
    tickets = tickets.merge(truth, on="ticket_id")
    tickets = tickets[~tickets["pain_point"].str.startswith("one_off")]
    texts = (tickets["subject"].fillna("") + ". " + tickets["body"].fillna("")).str.strip(". ").tolist()
    model = PainPointClusterer(embedder=minilm_idf).fit(texts)
    nmi, ari, _ = _scores(tickets["pain_point"].to_numpy(), model.labels_)
    assert len(model.pain_points_) >= 14
    assert nmi >= 0.85 and ari >= 0.62
