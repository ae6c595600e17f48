"""BANKING77 loading, scoring and the 50,000-ticket augmented set for the pain point benchmarks."""

from __future__ import annotations

import os
import random
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

REPO_ROOT = Path(__file__).resolve().parents[1]

_PREFIXES = ("Hi, ", "Hello, ", "Hey team, ", "Urgent: ", "Good morning. ", "Quick question: ", "Hi there! ")
_SUFFIXES = (" Thanks!", " Please help.", " Thank you", " Any ideas?", " Regards.", " ASAP please")


def banking77_path() -> Path:
    """BANKING77 train.csv under ``FOREWARN_SHARED_DATA`` (default ``<repo>/../shared/data``)."""
    root = Path(os.environ.get("FOREWARN_SHARED_DATA") or REPO_ROOT.parent / "shared" / "data")
    return root / "banking77" / "train.csv"


def load_banking77() -> pd.DataFrame:
    """Columns text, category; raises FileNotFoundError with the path when absent."""
    path = banking77_path()
    if not path.is_file():
        raise FileNotFoundError(
            f"BANKING77 not found at {path}: set FOREWARN_SHARED_DATA to the shared/data folder"
        )
    return pd.read_csv(path)


def score_clustering(truth: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """NMI, ARI, Hungarian accuracy and unassigned share over all rows.

    Unassigned rows (-1) form one extra cluster for NMI/ARI and are never counted correct.
    """
    truth = pd.factorize(np.asarray(truth))[0]
    labels = np.asarray(labels)
    assigned = labels >= 0
    full = np.where(assigned, labels, labels.max(initial=0) + 1)
    correct = 0.0
    if assigned.any():
        _, clusters = np.unique(labels[assigned], return_inverse=True)
        table = np.zeros((clusters.max() + 1, truth.max() + 1))
        np.add.at(table, (clusters, truth[assigned]), 1)
        rows, cols = linear_sum_assignment(-table)
        correct = table[rows, cols].sum()
    return {
        "nmi": float(normalized_mutual_info_score(truth, full)),
        "ari": float(adjusted_rand_score(truth, full)),
        "acc": float(correct / len(truth)),
        "unassigned": float(1 - assigned.mean()),
        "clusters": int(np.unique(labels[assigned]).size),
    }


def _typo(text: str, rng: random.Random) -> str:
    words = text.split()
    candidates = [i for i, w in enumerate(words) if len(w) > 3]
    if not candidates:
        return text + "?"
    i = rng.choice(candidates)
    w = list(words[i])
    j = rng.randrange(len(w) - 1)
    op = rng.randrange(3)
    if op == 0:
        w[j], w[j + 1] = w[j + 1], w[j]
    elif op == 1:
        del w[j]
    else:
        w.insert(j, w[j])
    words[i] = "".join(w)
    return " ".join(words)


def _reorder(text: str, rng: random.Random) -> str:
    words = text.split()
    if len(words) < 4:
        return text.lower()
    cut = rng.randrange(1, len(words) - 1)
    return " ".join(words[cut:] + words[:cut])  # a clause moved to the front, as hurried writers do


def augmented_tickets(frame: pd.DataFrame, total: int, seed: int = 0) -> pd.DataFrame:
    """The originals plus variants (duplicate, typo, reordered, prefixed, suffixed) up to ``total`` rows."""
    rng = random.Random(seed)
    texts, cats = list(frame["text"]), list(frame["category"])
    out_text, out_cat = list(texts), list(cats)
    makers = (
        lambda t: t,
        lambda t: _typo(t, rng),
        lambda t: _reorder(t, rng),
        lambda t: rng.choice(_PREFIXES) + t,
        lambda t: t + rng.choice(_SUFFIXES),
        lambda t: _typo(rng.choice(_PREFIXES) + t, rng),
    )
    while len(out_text) < total:
        i = rng.randrange(len(texts))
        out_text.append(rng.choice(makers)(texts[i]))
        out_cat.append(cats[i])
    return pd.DataFrame(
        {"ticket_id": [f"t{i:06d}" for i in range(total)], "text": out_text, "category": out_cat}
    )
