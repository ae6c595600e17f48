"""Theme benchmark on CLINC150: do themes over pain points recover the 10 domains?

Run from the repo root:

    .venv/bin/python benchmarks/themes_clinc150.py [--cache FILE] [--min-agreement A ...] [--oracle]

Clusters the 18,000 CLINC150 training texts into pain points (K not given, the default int8
MiniLM), then groups the pain points into themes with ``ThemeClusterer`` on their centroids. Each
text's theme is its pain point's theme; NMI is scored against the text's domain
(``clinc150/domains.json`` maps each domain to its intents), with unassigned texts as one extra
group, as for pain points. ``--cache`` keeps the pain point fit (labels, centroids, labels of
pain points) in an .npz file, so theme settings can be compared without clustering again.

``--oracle`` measures the theme step's ceiling on this encoder: the pain points are CLINC150's 150
true intents (every text in its own intent's pain point, centroids from the same embedder), so what
remains between that figure and the 10 domains is the centroids' geometry, not the pain points.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import normalized_mutual_info_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from detectors.painpoints import PainPointClusterer  # noqa: E402
from detectors.painpoints.embedder import default_embedder  # noqa: E402
from detectors.painpoints.themes import ThemeClusterer  # noqa: E402


def _data_dir() -> Path:
    root = Path(os.environ.get("FOREWARN_SHARED_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data")
    return root / "clinc150"


def _load() -> pd.DataFrame:
    folder = _data_dir()
    frame = pd.read_csv(folder / "train.csv", dtype=str, keep_default_na=False)
    domains = json.loads((folder / "domains.json").read_text(encoding="utf-8"))
    domain_of = {intent: domain for domain, intents in domains.items() for intent in intents}
    frame["domain"] = frame["intent"].map(domain_of)
    return frame


def _pain_points(texts: list[str], cache: Path | None) -> tuple[np.ndarray, np.ndarray, list[str], float]:
    if cache is not None and cache.exists():
        data = np.load(cache, allow_pickle=False)
        return data["labels"], data["centroids"], [str(x) for x in data["names"]], float(data["seconds"])
    start = time.perf_counter()
    model = PainPointClusterer(random_state=0).fit(texts)
    seconds = time.perf_counter() - start
    names = [p.label for p in model.pain_points_]
    if cache is not None:
        np.savez(cache, labels=model.labels_, centroids=model.centroids_, names=np.array(names), seconds=seconds)
    return model.labels_, model.centroids_, names, seconds


def _intent_pain_points(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, list[str], float]:
    """The oracle's pain points: one per true intent, its centroid the unit mean of its texts' vectors."""
    start = time.perf_counter()
    texts = frame["text"].tolist()
    embedder = default_embedder()
    fit = getattr(embedder, "fit", None)
    if callable(fit):  # token weights learnt from the same texts, as the clusterer does
        embedder = fit(PainPointClusterer().embedding_texts(texts))
    vectors = embedder.embed(texts)
    names, labels = np.unique(frame["intent"].to_numpy(), return_inverse=True)
    centroids = np.stack([vectors[labels == i].mean(axis=0) for i in range(len(names))])
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    return labels, centroids, [str(n) for n in names], time.perf_counter() - start


def _nmi(truth: pd.Series, labels: np.ndarray) -> float:
    full = np.where(labels >= 0, labels, labels.max(initial=0) + 1)
    return float(normalized_mutual_info_score(pd.factorize(truth)[0], full))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=None, help="npz file keeping the pain point fit")
    parser.add_argument("--min-agreement", type=float, nargs="*", default=[ThemeClusterer().min_agreement])
    parser.add_argument("--oracle", action="store_true", help="pain points = the 150 true intents (the ceiling)")
    args = parser.parse_args()
    frame = _load()
    if args.oracle:
        labels, centroids, names, seconds = _intent_pain_points(frame)
    else:
        labels, centroids, names, seconds = _pain_points(frame["text"].tolist(), args.cache)
    sizes = np.bincount(labels[labels >= 0], minlength=len(centroids))
    texts = [frame["text"][labels == i].tolist() for i in range(len(centroids))]  # themes are named from them
    print(
        f"pain points: {len(centroids)} on {len(frame)} texts, NMI vs 150 intents {_nmi(frame['intent'], labels):.3f}, "
        f"unassigned {np.mean(labels < 0):.1%}, {seconds:.1f}s"
    )
    for agreement in args.min_agreement:
        start = time.perf_counter()
        model = ThemeClusterer(min_agreement=agreement).fit(
            centroids, sample_weight=sizes, pain_point_labels=names, pain_point_texts=texts
        )
        theme_seconds = time.perf_counter() - start
        per_text = np.where(labels >= 0, model.labels_[np.maximum(labels, 0)], -1)
        print(
            f"themes (min_agreement {agreement}): {len(model.themes_)}, NMI vs 10 domains "
            f"{_nmi(frame['domain'], per_text):.3f}, {theme_seconds * 1000:.0f} ms"
        )
    for theme in model.themes_[:12]:
        print(f"  {theme.ticket_count:6d} tickets {theme.pain_point_count:3d} pain points  {theme.label}")


if __name__ == "__main__":
    main()
