"""Granularity benchmark: do BANKING77 and CLINC150 get as many pain points as they have problems, at any size?

Run from the repo root (FOREWARN_SHARED_DATA pointing at shared/data):

    .venv/bin/python benchmarks/cluster_granularity.py                        # both sets, full + samples
    .venv/bin/python benchmarks/cluster_granularity.py --sets clinc150 --sizes 1500 --seeds 0,1

For each set (K never given): the full train split, then random samples of 1,500, 3,000 and 5,000
texts with five seeds each. Every run is the product's own: a fresh int8 MiniLM embedder whose
IDF token weights are fitted on that run's texts, PCA, consensus Louvain at the resolution read
from the data, assignment. Printed per run: NMI against the true intents, pain points, intents
with at least 10 texts in the run, unassigned share, seconds; then per size the mean NMI, its gap
to the full set's, and how many runs have a pain point count within +-25% of those intents.

``--sizes balanced`` draws the shape of the sets' published test splits, which the issue's held-out
figures (and BERTopic's, 0.827 and 0.906) are measured on: up to 40 texts per intent of BANKING77
(3,075 texts) and 30 per intent of CLINC150 (4,500), drawn from the training split, five seeds.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cluster_banking77_data import score_clustering  # noqa: E402

from detectors.painpoints import OnnxMiniLmEmbedder, PainPointClusterer  # noqa: E402

SETS = {"banking77": "category", "clinc150": "intent"}
# Texts per intent in each set's published test split (BANKING77 3,080 / 77, CLINC150 4,500 / 150).
TEST_SPLIT_PER_INTENT = {"banking77": 40, "clinc150": 30}
REPO = Path(__file__).resolve().parents[1]


def load_set(name: str) -> pd.DataFrame:
    """Columns text, truth of ``$FOREWARN_SHARED_DATA/<name>/train.csv``."""
    root = Path(os.environ.get("FOREWARN_SHARED_DATA") or REPO.parent / "shared" / "data")
    path = root / name / "train.csv"
    if not path.is_file():
        raise SystemExit(f"cluster_granularity: error: {path} not found: set FOREWARN_SHARED_DATA to shared/data")
    frame = pd.read_csv(path)
    return pd.DataFrame({"text": frame["text"], "truth": frame[SETS[name]]})


def run_one(frame: pd.DataFrame) -> dict[str, float]:
    """Cluster ``frame.text`` as the product does and score it against ``frame.truth``."""
    started = time.perf_counter()
    embedder = OnnxMiniLmEmbedder(quantize=True)
    texts = frame["text"].tolist()
    model = PainPointClusterer(embedder=embedder).fit(texts)
    scores = score_clustering(frame["truth"].to_numpy(), model.labels_)
    present = int((frame["truth"].value_counts() >= 10).sum())
    return {**scores, "intents": present, "seconds": time.perf_counter() - started}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="banking77,clinc150")
    parser.add_argument("--sizes", default="full,1500,3000,5000")
    parser.add_argument("--seeds", default="0,1,2,3,4")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    rows = []
    print("set        size   seed  NMI    pain points  intents>=10  unassigned  seconds", flush=True)
    for name in args.sets.split(","):
        frame = load_set(name)
        for size in args.sizes.split(","):
            for seed in [0] if size == "full" else seeds:
                part = _sample(frame, name, size, seed)
                row = {"set": name, "size": size, "seed": seed, **run_one(part)}
                rows.append(row)
                print(
                    f"{name:10} {size:>5} {seed:>5}  {row['nmi']:.3f}  {row['clusters']:>11}  "
                    f"{row['intents']:>11}  {100 * row['unassigned']:>9.1f}%  {row['seconds']:>7.1f}",
                    flush=True,
                )
    _summary(pd.DataFrame(rows))


def _sample(frame: pd.DataFrame, name: str, size: str, seed: int) -> pd.DataFrame:
    """The run's texts: all of them, ``size`` drawn at random, or (``balanced``) the test split's shape."""
    if size == "full":
        return frame
    if size == "balanced":
        shuffled = frame.sample(frac=1, random_state=seed)
        return shuffled.groupby("truth", sort=False).head(TEST_SPLIT_PER_INTENT[name])
    return frame.sample(int(size), random_state=seed)


def _summary(table: pd.DataFrame) -> None:
    """Per set and size: mean NMI, its gap to the full set, runs with a count within +-25%."""
    print("\nset        size   runs  mean NMI  gap to full  count within +-25%")
    for name, part in table.groupby("set", sort=False):
        full = part.loc[part["size"] == "full", "nmi"]
        for size, runs in part.groupby("size", sort=False):
            ratio = runs["clusters"] / runs["intents"]
            within = int(((ratio >= 0.75) & (ratio <= 1.25)).sum())
            gap = f"{runs['nmi'].mean() - full.iloc[0]:+.3f}" if len(full) else "n/a"
            print(f"{name:10} {size:>5} {len(runs):>6}  {runs['nmi'].mean():.3f}     {gap:>8}     {within}/{len(runs)}")


if __name__ == "__main__":
    main()
