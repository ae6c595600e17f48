"""Louvain community detection (Blondel et al., 2008), compiled with numba.

networkx's pure-Python Louvain took 13 s of a 50,000-ticket run (42,293 distinct texts); this one
runs the same two phases (local moving, then aggregation into a graph of communities) in well
under a second. It can also start from a given partition; the pain-point stage does not: started
from the previous run's groups, it kept every id but never split or added a pain point (README).

Weights follow the usual convention: ``graph`` is symmetric; a node's degree is its row sum; the
modularity gain of moving node i into community C is ``w(i, C) - resolution * deg(i) * deg(C) / 2m``.
"""

from __future__ import annotations

import numba
import numpy as np
import scipy.sparse as sp

# A level stops when a whole pass over its nodes gains less modularity than this (networkx's default).
_THRESHOLD = 1e-7
# Passes over the nodes of one level, at most; Louvain converges in a handful on k-NN graphs.
_MAX_PASSES = 100


@numba.njit(cache=True, nogil=True)  # nogil: the consensus runs several at once
def _local_moving(indptr, indices, data, degree, total, labels, order, resolution, two_m, max_passes):
    """Move nodes to the neighbouring community with the best gain until no pass gains enough.

    ``labels`` and ``total`` (summed degree per community) are updated in place. Returns the
    modularity gained (times 2m).
    """
    n = labels.shape[0]
    weight_to = np.zeros(total.shape[0], dtype=np.float64)
    touched = np.empty(total.shape[0], dtype=np.int64)
    gained = 0.0
    for _ in range(max_passes):
        pass_gain = 0.0
        for position in range(n):
            node = order[position]
            own = labels[node]
            k = degree[node]
            n_touched = 0
            for e in range(indptr[node], indptr[node + 1]):
                other = indices[e]
                if other == node:
                    continue
                c = labels[other]
                if weight_to[c] == 0.0:
                    touched[n_touched] = c
                    n_touched += 1
                weight_to[c] += data[e]
            total[own] -= k
            scale = resolution * k / two_m
            best = own
            best_gain = weight_to[own] - scale * total[own]
            stay_gain = best_gain
            for t in range(n_touched):
                c = touched[t]
                gain = weight_to[c] - scale * total[c]
                # Ties go to the smaller label, so the result does not depend on neighbour order.
                if gain > best_gain or (gain == best_gain and c < best):
                    best = c
                    best_gain = gain
            total[best] += k
            labels[node] = best
            if best != own:
                pass_gain += 2.0 * (best_gain - stay_gain)
            for t in range(n_touched):
                weight_to[touched[t]] = 0.0
            weight_to[own] = 0.0
        gained += pass_gain
        if pass_gain <= _THRESHOLD * two_m:
            break
    return gained


def _compact(labels: np.ndarray) -> np.ndarray:
    """Renumber labels 0..C-1 in order of first appearance."""
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    rank = np.empty(first.size, dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(first.size)
    return rank[inverse]


def _aggregate(graph: sp.csr_matrix, labels: np.ndarray, n_communities: int) -> sp.csr_matrix:
    """Graph of communities: entry (C, D) sums the weights between C and D (C = D: twice the inside)."""
    member = sp.csr_matrix(
        (np.ones(labels.size), (np.arange(labels.size), labels)), shape=(labels.size, n_communities)
    )
    return (member.T @ graph @ member).tocsr()


def louvain(
    graph: sp.csr_matrix,
    *,
    resolution: float = 1.0,
    seed: int = 0,
    initial: np.ndarray | None = None,
) -> np.ndarray:
    """Return a community label per node of the symmetric weighted ``graph``.

    Args:
        resolution: higher gives more, smaller communities.
        seed: seeds the order in which each level visits its nodes.
        initial: optional starting community per node (any integers); nodes move away from it only
            when that gains modularity. ``None`` starts from singletons.

    Labels are 0..C-1, numbered by first member.
    """
    n = graph.shape[0]
    if graph.shape != (n, n):
        raise ValueError(f"graph must be square, got shape {graph.shape}")
    if initial is not None and np.asarray(initial).shape != (n,):
        raise ValueError(f"initial has {np.asarray(initial).size} labels for {n} nodes")
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    current = sp.csr_matrix(graph, dtype=np.float64)
    current.sum_duplicates()
    two_m = float(current.sum())
    if two_m <= 0.0:
        return np.arange(n, dtype=np.int64)
    rng = np.random.default_rng(seed)
    node_community = np.arange(n, dtype=np.int64)  # community of each original node
    labels = np.arange(n, dtype=np.int64) if initial is None else _compact(np.asarray(initial))
    while True:
        size = current.shape[0]
        degree = np.asarray(current.sum(axis=1)).ravel()
        total = np.bincount(labels, weights=degree, minlength=size).astype(np.float64)
        order = rng.permutation(size).astype(np.int64)
        _local_moving(
            current.indptr.astype(np.int64),
            current.indices.astype(np.int64),
            current.data,
            degree,
            total,
            labels,
            order,
            float(resolution),
            two_m,
            _MAX_PASSES,
        )
        labels = _compact(labels)
        n_communities = int(labels.max()) + 1
        node_community = labels[node_community]
        if n_communities == size:
            break
        current = _aggregate(current, labels, n_communities)
        labels = np.arange(n_communities, dtype=np.int64)
    return _compact(node_community)


def modularity(graph: sp.csr_matrix, labels: np.ndarray, resolution: float = 1.0) -> float:
    """Newman's modularity of ``labels`` on the symmetric weighted ``graph``."""
    graph = sp.csr_matrix(graph, dtype=np.float64)
    two_m = float(graph.sum())
    if two_m <= 0.0:
        return 0.0
    labels = _compact(np.asarray(labels))
    degree = np.asarray(graph.sum(axis=1)).ravel()
    coo = graph.tocoo()
    inside = float(coo.data[labels[coo.row] == labels[coo.col]].sum())
    total = np.bincount(labels, weights=degree)
    return inside / two_m - resolution * float((total**2).sum()) / two_m**2
