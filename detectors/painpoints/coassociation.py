"""Evidence accumulation: how often many cheap partitions of the pain points put two of them together.

No single view of the pain point centroids finds CLINC150's domains well, and each view needs a
setting nobody can read off the data (the neighbour count of a graph, a Louvain resolution, a
similarity cut), and choosing the resolution by stability under resampling jumped between 3 and
48 themes on CLINC150 train and its random halves. Averaging many partitions instead (Fred and Jain, 2005: the share
of partitions that join two items is a similarity) keeps what they agree on: Louvain on the k-NN
graph of the centroids for several neighbour counts, resolutions and seeds. Two pain points then
share a theme when most partitions join them (README, design decisions, for the figures).

A partition that leaves most pain points alone, or puts them all in one group, says nothing about
which belong together; it is left out, as ``granularity`` leaves out such cuts. That matters for a
small queue, where a high resolution cuts every pain point loose.
"""

from __future__ import annotations

import numpy as np

from detectors.painpoints.community import knn_graph, louvain_labels

# Neighbour counts of the centroid graphs: a theme of 3-10 pain points (a CLINC150 domain held
# 10-18) is held together by its 5-10 nearest; more neighbours reach across themes.
NEIGHBOUR_COUNTS = (5, 8, 10)
# Louvain resolutions, 1 to 8 by factors of sqrt(2): from a few broad groups to many narrow ones.
RESOLUTIONS = tuple(float(2 ** (i / 2)) for i in range(7))
# Louvain runs per graph and resolution (each visits the nodes in another random order).
SEEDS_PER_SETTING = 3
# At least this share of the pain points must sit in groups of two or more for a partition to count.
MIN_GROUPED_SHARE = 0.5


def coassociation(vectors: np.ndarray, random_state: int = 0) -> np.ndarray:
    """Share of the informative partitions that put each pair of rows of ``vectors`` together.

    Args:
        vectors: unit rows (centred pain point centroids).
        random_state: seeds the Louvain runs.

    Returns:
        A symmetric (n, n) matrix in [0, 1] with ones on the diagonal; the identity when no
        partition was informative (then every row stands alone).
    """
    n = vectors.shape[0]
    together = np.zeros((n, n))
    kept = 0
    for labels in _partitions(np.asarray(vectors, dtype=np.float32), random_state):
        if _informative(labels):
            together += labels[:, None] == labels[None, :]
            kept += 1
    return together / kept if kept else np.eye(n)


def _partitions(vectors: np.ndarray, random_state: int):  # noqa: ANN202 - yields label arrays
    n = vectors.shape[0]
    for k in sorted({min(k, n - 1) for k in NEIGHBOUR_COUNTS}):
        graph = knn_graph(vectors, k)
        for resolution in RESOLUTIONS:
            for run in range(SEEDS_PER_SETTING):
                yield louvain_labels(graph, resolution, random_state * 7919 + run)


def _informative(labels: np.ndarray) -> bool:
    sizes = np.bincount(labels)
    grouped = sizes[sizes >= 2].sum() / labels.size
    return grouped >= MIN_GROUPED_SHARE and sizes.size >= 2
