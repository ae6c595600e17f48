"""Cluster stage: a k-nearest-neighbour graph of the tickets, split into communities by Louvain.

Why a graph and not k-means: the number of pain points is not known, and modularity finds it by
itself. On BANKING77 with all-MiniLM-L6-v2, Louvain on a 20-NN cosine graph matched or beat
k-means given the true number of clusters, and beat HDBSCAN and average-linkage thresholds, which
left most texts unassigned or chained unrelated intents together.

networkx's Louvain is pure Python (9.7 s on 40,000 tickets). Compiled ones were measured and not
taken. scikit-network (BSD, 0.2 s, same NMI) kept fewer ids from 70% to 100% of BANKING77 when
each run embeds its own new texts with the int8 default, as the pipeline does: 94.5% on average
over three samples (93.0-97.0%) against networkx's 95.8% (94.9-96.7%). igraph (GPL) was as fast,
with a process-wide random generator to seed.
"""

from __future__ import annotations

import logging

import networkx as nx
import numpy as np
import scipy.sparse as sp

logger = logging.getLogger(__name__)

# Rows of the similarity matrix computed at once: 2,048 x 50,000 float32 is 400 MB at most.
_BLOCK_ROWS = 2048
# Columns sampled per block to bound each row's k-th largest similarity from below (see below).
_SAMPLE_COLUMNS = 4096


def nearest_neighbours(vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (indices, cosine similarities) of each row's ``k`` nearest other rows, nearest first.

    ``vectors`` must have unit-length rows. Exact search in blocks, with no extra dependency.
    Selecting the top k of every full row was 85% of the time (19.6 of 23 s at 40,000 tickets),
    so each row's k-th largest similarity over a strided sample of columns is taken first: it is
    a floor for the true k-th largest, and only the ~k * n / sample entries above it are sorted.
    The result is exact (9 s at 40,000 tickets).
    """
    n = vectors.shape[0]
    k = min(k, n - 1)
    indices = np.zeros((n, k), dtype=np.int64)
    sims = np.zeros((n, k), dtype=np.float32)
    if k <= 0:
        return indices, sims
    step = max(1, n // _SAMPLE_COLUMNS)
    for start in range(0, n, _BLOCK_ROWS):
        block = vectors[start : start + _BLOCK_ROWS] @ vectors.T
        rows = np.arange(block.shape[0])
        block[rows, rows + start] = -np.inf  # a text is not its own neighbour
        sample = block[:, ::step]
        if sample.shape[1] > k:
            floor = np.partition(sample, sample.shape[1] - k, axis=1)[:, sample.shape[1] - k]
        else:
            floor = np.full(block.shape[0], -np.inf, dtype=block.dtype)
        cand_rows, cand_cols = np.nonzero(block >= floor[:, None])
        values = block[cand_rows, cand_cols]
        order = np.lexsort((cand_cols, -values, cand_rows))  # by row, then nearest, ties by index
        cand_cols, values = cand_cols[order], values[order]
        picks = np.searchsorted(cand_rows[order], rows)[:, None] + np.arange(k)
        indices[start : start + block.shape[0]] = cand_cols[picks]
        sims[start : start + block.shape[0]] = values[picks]
    return indices, sims


def knn_graph(vectors: np.ndarray, k: int) -> sp.csr_matrix:
    """Symmetric sparse graph joining each row to its ``k`` nearest rows, weighted by cosine (>= 0)."""
    n = vectors.shape[0]
    indices, sims = nearest_neighbours(vectors, k)
    rows = np.repeat(np.arange(n), indices.shape[1])
    weights = np.clip(sims.ravel(), 1e-6, None)  # keep every edge; negative cosine is just "far"
    graph = sp.csr_matrix((weights, (rows, indices.ravel())), shape=(n, n))
    return graph.maximum(graph.T).tocsr()


def louvain_labels(graph: sp.csr_matrix, resolution: float, seed: int) -> np.ndarray:
    """Label each node with its Louvain community; communities are numbered largest first."""
    n = graph.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if graph.nnz == 0:
        return np.arange(n, dtype=np.int64)
    communities = nx.community.louvain_communities(
        nx.from_scipy_sparse_array(graph), weight="weight", resolution=resolution, seed=seed
    )
    # Largest first, ties by smallest member, so numbering does not depend on set iteration order.
    ordered = sorted(communities, key=lambda c: (-len(c), min(c)))
    labels = np.empty(n, dtype=np.int64)
    for label, members in enumerate(ordered):
        labels[list(members)] = label
    logger.debug("louvain: %s nodes, %s communities", n, len(ordered))
    return labels


class LouvainClusterer:
    """Cluster unit vectors with Louvain on their k-NN cosine graph.

    Args:
        n_neighbors: graph degree; 20 worked from 3,000 to 50,000 tickets.
        resolution: modularity resolution; higher gives more, smaller pain points. ``None`` scales
            it with the number of texts n: 4 * sqrt(n / 5,000), kept within [1, 4]. Modularity
            merges a group into a neighbour when their share of links beats resolution times the
            group's share of all texts, so a fixed high value shreds small inputs into fragments;
            4 suits 5,000 texts and more (BANKING77), 1 (plain modularity) a few hundred.
        history_weight: extra weight of edges inside an earlier run's group (see ``cluster``).
    """

    def __init__(
        self, n_neighbors: int = 20, resolution: float | None = None, history_weight: float = 3.0
    ) -> None:
        self.n_neighbors = n_neighbors
        self.resolution = resolution
        self.history_weight = history_weight

    def cluster(
        self, vectors: np.ndarray, random_state: int = 0, prior: np.ndarray | None = None
    ) -> np.ndarray:
        """Return one community label per row of ``vectors``.

        ``prior`` (optional) is each row's group in an earlier run, -1 for rows new since then.
        Edges inside an earlier group weigh ``1 + history_weight`` times more, so the new
        partition stays close to the old one unless the data clearly disagree (evolutionary
        clustering, as in Chakrabarti et al., KDD 2006).
        """
        if vectors.shape[0] <= 1:
            return np.zeros(vectors.shape[0], dtype=np.int64)
        graph = knn_graph(vectors, self.n_neighbors)
        if prior is not None and self.history_weight > 0:
            graph = _favour_history(graph, np.asarray(prior), self.history_weight)
        return louvain_labels(graph, self.resolution_for(vectors.shape[0]), random_state)

    def resolution_for(self, n_texts: int) -> float:
        """The resolution used for ``n_texts`` texts."""
        if self.resolution is not None:
            return self.resolution
        return float(np.clip(4.0 * np.sqrt(n_texts / 5_000), 1.0, 4.0))


def _favour_history(graph: sp.csr_matrix, prior: np.ndarray, weight: float) -> sp.csr_matrix:
    """Scale up edges whose two ends shared an earlier group."""
    coo = graph.tocoo()
    same = (prior[coo.row] == prior[coo.col]) & (prior[coo.row] >= 0)
    data = np.where(same, coo.data * (1.0 + weight), coo.data)
    return sp.csr_matrix((data, (coo.row, coo.col)), shape=graph.shape)
