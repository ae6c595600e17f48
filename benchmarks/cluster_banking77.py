"""Pain point clusterer benchmark on BANKING77: quality, 50,000-ticket scale, and id stability.

Run from the repo root (each part in its own process, so peak memory is that part's own):

    .venv/bin/python benchmarks/cluster_banking77.py            # all three parts
    .venv/bin/python benchmarks/cluster_banking77.py --part quality|scale|stability

(a) quality: NMI / ARI / Hungarian accuracy / unassigned share / #clusters / wall time on the
    10,003 BANKING77 texts (the 77 true categories are only used for scoring).
(b) scale: 50,000 tickets (BANKING77 plus duplicated, typo-injected, reordered, prefixed and
    suffixed variants), wall time including model load and embedding, and peak RSS.
(c) stability: cluster a random 70%, then all rows with the registry of the first run; share of
    the first run's assigned tickets that keep their pain point id; and the same for a shuffle.
(d) daily: the 50,000 tickets of (b) when yesterday's run already stored the vectors of 96% of
    them in a SQLite warehouse (``text_embeddings``): wall time of today's run, model load included.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cluster_banking77_data import augmented_tickets, load_banking77, score_clustering  # noqa: E402

from detectors.painpoints import (  # noqa: E402
    CachingEmbedder,
    MiniLmEmbedder,
    OnnxMiniLmEmbedder,
    PainPointClusterer,
    assign_stable_ids,
)
from detectors.painpoints.stored_embedder import StoredEmbedder  # noqa: E402
from pipeline.detect.vector_store import WarehouseVectorStore  # noqa: E402
from pipeline.warehouse import make_engine, migrate  # noqa: E402

EMBEDDERS = {
    "onnx": OnnxMiniLmEmbedder,
    "torch": MiniLmEmbedder,
    "onnx-int8": lambda: OnnxMiniLmEmbedder(quantize=True),
}
_embedder_name = "onnx-int8"


def _embedder():  # noqa: ANN202
    return EMBEDDERS[_embedder_name]()


def _fitted(embedder, texts):  # noqa: ANN001, ANN202
    """The embedder with its token weights learnt from the texts a clusterer would embed."""
    fit = getattr(embedder, "fit", None)
    return fit(PainPointClusterer().embedding_texts(texts)) if callable(fit) else embedder


def _with_weights(embedder, weights):  # noqa: ANN001, ANN202
    return embedder if weights is None else embedder.with_token_weights(weights)


class _StageClock:
    """Progress callback that notes when each stage finished."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.done: dict[str, float] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if done >= total:
            self.done[stage] = time.perf_counter()

    def summary(self) -> str:
        embed = self.done["embed"] - self.start
        cluster = self.done["cluster"] - self.done["embed"]
        label = self.done["label"] - self.done["cluster"]
        return f"(load+embed {embed:.1f}s, graph+louvain {cluster:.1f}s, labels {label:.1f}s)"


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    """CPU time of this process (user + system): comparable across runs when the machine is shared."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def quality() -> None:
    """Part (a)."""
    frame = load_banking77()
    clock = _StageClock()
    model = PainPointClusterer(embedder=_embedder()).fit(frame["text"].tolist(), progress=clock)
    wall = time.perf_counter() - clock.start
    s = score_clustering(frame["category"].to_numpy(), model.labels_)
    print(
        f"quality  embedder={_embedder_name} {clock.summary()}\n           n={len(frame)} NMI={s['nmi']:.3f} ARI={s['ari']:.3f} ACC={s['acc']:.3f} "
        f"unassigned={s['unassigned']:.3%} clusters={s['clusters']} wall={wall:.1f}s cpu={_cpu_seconds():.0f}s "
        f"peak_rss={_peak_rss_mb():.0f}MB load_avg={os.getloadavg()[0]:.1f}"
    )
    for p in model.pain_points_[:12]:
        print(f"  {p.ticket_count:5d}  {p.label:32s} | {', '.join(p.key_terms[:4])}")


def scale(total: int = 50_000) -> None:
    """Part (b)."""
    frame = augmented_tickets(load_banking77(), total)
    clock = _StageClock()
    model = PainPointClusterer(embedder=_embedder()).fit(frame["text"].tolist(), progress=clock)
    wall = time.perf_counter() - clock.start
    s = score_clustering(frame["category"].to_numpy(), model.labels_)
    print(f"scale    embedder={_embedder_name} {clock.summary()}")
    distinct = frame["text"].str.lower().str.split().str.join(" ").nunique()
    print(
        f"scale    n={total} distinct~{distinct} wall={wall:.1f}s cpu={_cpu_seconds():.0f}s "
        f"peak_rss={_peak_rss_mb():.0f}MB load_avg={os.getloadavg()[0]:.1f} "
        f"NMI={s['nmi']:.3f} ARI={s['ari']:.3f} ACC={s['acc']:.3f} unassigned={s['unassigned']:.3%} "
        f"clusters={s['clusters']}"
    )


def stability() -> None:
    """Part (c)."""
    frame = load_banking77()
    texts = frame["text"].tolist()
    ids = [f"t{i}" for i in range(len(texts))]
    rng = np.random.default_rng(0)
    first = np.sort(rng.permutation(len(texts))[: int(0.7 * len(texts))])
    # As in the pipeline: token weights fitted on the first run's texts are kept for the next runs.
    first_texts = [texts[i] for i in first]
    embedder = CachingEmbedder(_fitted(_embedder(), first_texts))
    run1 = PainPointClusterer(embedder=embedder).fit(first_texts)
    map1, reg1, _ = assign_stable_ids(None, [ids[i] for i in first], run1.result_)
    start = time.perf_counter()
    run2 = PainPointClusterer(embedder=embedder).fit(texts, prior_groups=reg1.prior_groups(ids))
    map2, reg2, events = assign_stable_ids(reg1, ids, run2.result_)
    wall = time.perf_counter() - start
    assigned = [t for t, pid in map1.items() if pid]
    kept = np.mean([map2[t] == map1[t] for t in assigned])
    kinds = {k: sum(e.kind == k for e in events) for k in ("created", "split", "merged")}
    final = np.array([int(map2[t][3:]) if map2[t] else -1 for t in ids])
    s = score_clustering(frame["category"].to_numpy(), final)
    print(
        f"stability 70%->100%: {kept:.1%} of {len(assigned)} assigned tickets keep their id; events {kinds}; "
        f"rerun {wall:.1f}s; stable-id NMI={s['nmi']:.3f} ARI={s['ari']:.3f} ACC={s['acc']:.3f}"
    )
    order = rng.permutation(len(texts))
    run3 = PainPointClusterer(embedder=embedder).fit(
        [texts[i] for i in order], prior_groups=reg2.prior_groups([ids[i] for i in order])
    )
    map3, _, events3 = assign_stable_ids(reg2, [ids[i] for i in order], run3.result_)
    before = [t for t, pid in map2.items() if pid]
    print(
        f"stability shuffled rerun: {np.mean([map3[t] == map2[t] for t in before]):.1%} keep their id; {len(events3)} events"
    )


def daily(total: int = 50_000, new_share: float = 0.04) -> None:
    """Part (d)."""
    frame = augmented_tickets(load_banking77(), total)
    texts = frame["text"].tolist()
    seen = np.random.default_rng(0).permutation(total)[: int(total * (1 - new_share))]
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/warehouse.db")
        migrate(engine)
        # yesterday's run over the tickets known then stores the vectors of the texts it embedded
        seen_texts = [texts[i] for i in seen]
        fitted = _fitted(_embedder(), seen_texts)
        weights = getattr(fitted, "token_weights", None)  # the PyTorch model pools by plain mean
        yesterday = StoredEmbedder(fitted, WarehouseVectorStore(engine, datetime(2026, 3, 1)))
        PainPointClusterer(embedder=yesterday).fit(seen_texts)
        start_cpu = _cpu_seconds()
        # today's run: a fresh model object, yesterday's token weights (as the pipeline keeps them),
        # vectors of known texts from the warehouse
        clock = _StageClock()
        embedder = StoredEmbedder(_with_weights(_embedder(), weights), WarehouseVectorStore(engine, datetime(2026, 3, 2)))
        model = PainPointClusterer(embedder=embedder).fit(texts, progress=clock)
        wall = time.perf_counter() - clock.start
        engine.dispose()
    s = score_clustering(frame["category"].to_numpy(), model.labels_)
    print(f"daily    embedder={_embedder_name} {clock.summary()}")
    print(
        f"daily    n={total} read back={embedder.reused_} embedded={embedder.embedded_} wall={wall:.1f}s "
        f"cpu={_cpu_seconds() - start_cpu:.0f}s peak_rss={_peak_rss_mb():.0f}MB load_avg={os.getloadavg()[0]:.1f} "
        f"NMI={s['nmi']:.3f} ARI={s['ari']:.3f} ACC={s['acc']:.3f} clusters={s['clusters']}"
    )


PARTS = {"quality": quality, "scale": scale, "stability": stability, "daily": daily}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=[*PARTS, "all"], default="all")
    parser.add_argument("--embedder", choices=list(EMBEDDERS), default="onnx-int8")  # the product default
    args = parser.parse_args()
    global _embedder_name
    _embedder_name = args.embedder
    if args.part != "all":
        PARTS[args.part]()
        return
    for part in PARTS:  # separate processes: peak RSS per part, no shared model cache
        subprocess.run([sys.executable, __file__, "--part", part, "--embedder", args.embedder], check=True)


if __name__ == "__main__":
    main()
