"""Cluster stage: exact neighbour search, the compiled Louvain, and the consensus over runs."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from detectors.painpoints.community import (
    LouvainClusterer,
    consensus_graph,
    knn_graph,
    louvain_labels,
)
from detectors.painpoints.louvain import louvain, modularity
from detectors.painpoints.neighbours import nearest_neighbours


def _planted(n_groups: int, size: int, p_in: float, p_out: float, seed: int) -> tuple[sp.csr_matrix, np.ndarray]:
    graph = nx.planted_partition_graph(n_groups, size, p_in, p_out, seed=seed)
    truth = np.repeat(np.arange(n_groups), size)
    return sp.csr_matrix(nx.to_scipy_sparse_array(graph, format="csr", dtype=np.float64)), truth


def _same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    """True when a and b group the nodes identically, whatever the numbering."""
    pairs = set(zip(a.tolist(), b.tolist(), strict=True))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


def test_nearest_neighbours_are_exact():
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(3_000, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    indices, sims = nearest_neighbours(vectors, 10)
    full = vectors @ vectors.T
    np.fill_diagonal(full, -np.inf)
    expected = np.sort(full, axis=1)[:, ::-1][:, :10]
    np.testing.assert_allclose(sims, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(full[np.arange(3_000)[:, None], indices], sims, rtol=1e-5, atol=1e-6)
    assert not (indices == np.arange(3_000)[:, None]).any()


def test_nearest_neighbour_ties_go_to_the_smaller_index_across_blocks():
    # 5,000 rows span three blocks; rows repeat four directions, so every row has many exact ties
    directions = np.eye(4, dtype=np.float32)
    vectors = directions[np.arange(5_000) % 4]
    indices, sims = nearest_neighbours(vectors, 6)
    same = np.arange(5_000)[:, None] % 4 == np.arange(5_000)[None, :] % 4
    np.fill_diagonal(same, False)
    expected = np.array([np.flatnonzero(row)[:6] for row in same])
    assert np.array_equal(indices, expected)
    assert np.all(sims == 1.0)


def test_nearest_neighbours_of_tiny_inputs():
    one = np.ones((1, 3), dtype=np.float32) / np.sqrt(3)
    indices, sims = nearest_neighbours(one, 5)
    assert indices.shape == (1, 0) and sims.shape == (1, 0)
    two = np.eye(2, dtype=np.float32)
    indices, sims = nearest_neighbours(two, 5)
    assert indices.tolist() == [[1], [0]] and sims.tolist() == [[0.0], [0.0]]


def test_louvain_recovers_planted_groups():
    graph, truth = _planted(8, 40, 0.5, 0.01, seed=1)
    labels = louvain(graph, resolution=1.0, seed=0)
    assert _same_partition(labels, truth)


def test_louvain_reaches_the_modularity_of_networkx():
    graph = nx.karate_club_graph()
    adjacency = sp.csr_matrix(nx.to_scipy_sparse_array(graph, weight=None, dtype=np.float64))
    ours = max(modularity(adjacency, louvain(adjacency, seed=s)) for s in range(5))
    theirs = max(
        nx.community.modularity(graph, nx.community.louvain_communities(graph, weight=None, seed=s), weight=None)
        for s in range(5)
    )
    assert ours >= theirs - 1e-9
    assert ours > 0.41  # the best known partition of the karate club scores 0.4198


def test_modularity_agrees_with_networkx():
    graph, truth = _planted(5, 30, 0.3, 0.05, seed=2)
    g = nx.from_scipy_sparse_array(graph)
    groups = [set(np.flatnonzero(truth == c).tolist()) for c in range(5)]
    for resolution in (0.5, 1.0, 3.0):
        expected = nx.community.modularity(g, groups, resolution=resolution)
        assert modularity(graph, truth, resolution) == pytest.approx(expected, abs=1e-12)


def test_louvain_is_reproducible_per_seed_and_numbers_by_first_member():
    graph, _ = _planted(6, 50, 0.2, 0.04, seed=5)
    first = louvain(graph, resolution=1.0, seed=11)
    assert np.array_equal(first, louvain(graph, resolution=1.0, seed=11))
    _, first_seen = np.unique(first, return_index=True)
    assert np.all(np.diff(first_seen) > 0)


def test_louvain_from_a_given_partition_keeps_a_good_one_and_repairs_a_worn_one():
    graph, truth = _planted(6, 30, 0.6, 0.01, seed=4)
    assert _same_partition(louvain(graph, seed=0, initial=truth * 7 + 3), truth)
    worn = truth.copy()
    moved = np.random.default_rng(0).choice(truth.size, size=truth.size // 5, replace=False)
    worn[moved] = (worn[moved] + 1) % 6  # a fifth of the nodes start in the wrong group
    assert _same_partition(louvain(graph, seed=0, initial=worn), truth)


def test_louvain_edge_cases():
    assert louvain(sp.csr_matrix((0, 0)), seed=0).size == 0
    assert np.array_equal(louvain(sp.csr_matrix((4, 4)), seed=0), np.arange(4))
    # two nodes joined only by self-loops stay apart; a single edge joins them
    loops = sp.csr_matrix(np.diag([2.0, 2.0]))
    assert len(set(louvain(loops, seed=0).tolist())) == 2
    assert len(set(louvain(sp.csr_matrix([[0.0, 1.0], [1.0, 0.0]]), seed=0).tolist())) == 1
    with pytest.raises(ValueError, match="square"):
        louvain(sp.csr_matrix((2, 3)), seed=0)
    with pytest.raises(ValueError, match="initial has 3 labels for 2 nodes"):
        louvain(sp.csr_matrix([[0.0, 1.0], [1.0, 0.0]]), seed=0, initial=np.zeros(3))


def test_louvain_labels_number_largest_first():
    graph = sp.block_diag([np.ones((n, n)) - np.eye(n) for n in (3, 7, 5)]).tocsr()
    labels = louvain_labels(graph, 1.0, 0)
    assert np.bincount(labels).tolist() == [7, 5, 3]
    assert labels[3] == 0 and labels[0] == 2


def test_consensus_keeps_edges_inside_groups_and_weakens_edges_between():
    graph, truth = _planted(6, 40, 0.3, 0.03, seed=6)
    weighted = consensus_graph(graph, 1.0, seed=0, n_runs=8, floor=0.05).tocoo()
    inside = truth[weighted.row] == truth[weighted.col]
    ratio = weighted.data / graph.tocsr()[weighted.row, weighted.col].A1
    assert ratio.min() >= 0.05 - 1e-12 and ratio.max() <= 1.0 + 1e-12
    assert ratio[inside].mean() > 0.9
    assert ratio[~inside].mean() < 0.5


def test_consensus_partition_depends_less_on_the_seed_than_single_runs():
    """On a noisy graph, single runs disagree between seeds; the consensus agrees with itself more."""
    rng = np.random.default_rng(8)
    centres = rng.normal(size=(12, 24))
    vectors = np.repeat(centres, 60, axis=0) + rng.normal(scale=2.0, size=(720, 24))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)

    def disagreement(n_runs: int) -> int:
        runs = [LouvainClusterer(resolution=1.0, n_runs=n_runs).cluster(vectors, seed) for seed in range(4)]
        same = [r[:, None] == r[None, :] for r in runs]
        return sum(int((same[0] != other).sum()) for other in same[1:])

    assert disagreement(16) < disagreement(1)


def test_history_weight_pulls_toward_the_earlier_partition():
    graph_vectors = np.random.default_rng(9).normal(size=(400, 8))
    graph_vectors /= np.linalg.norm(graph_vectors, axis=1, keepdims=True)
    prior = (graph_vectors[:, 0] > 0).astype(np.int64)  # an arbitrary earlier split in two
    free = LouvainClusterer(resolution=1.0, history_weight=0.0).cluster(graph_vectors, 0, prior=prior)
    pulled = LouvainClusterer(resolution=1.0, history_weight=20.0).cluster(graph_vectors, 0, prior=prior)

    def crossing(labels: np.ndarray) -> float:  # share of pairs in one community that the prior split
        together = labels[:, None] == labels[None, :]
        return float((together & (prior[:, None] != prior[None, :])).sum() / together.sum())

    assert crossing(pulled) < crossing(free)


def test_bad_parameters_are_clear_errors():
    with pytest.raises(ValueError, match="n_runs must be >= 1"):
        LouvainClusterer(n_runs=0)
    with pytest.raises(ValueError, match="consensus_floor"):
        LouvainClusterer(consensus_floor=1.5)


def test_knn_graph_is_symmetric_and_positive():
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(200, 5))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    graph = knn_graph(vectors, 5)
    assert (graph != graph.T).nnz == 0
    assert graph.data.min() > 0
    assert (np.diff(graph.indptr) >= 5).all()
