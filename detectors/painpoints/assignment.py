"""From raw communities to pain points: drop tiny groups, mark outliers, bound the unassigned share.

All decisions here work on unique texts weighted by how many tickets carry each text, so a
message sent 200 times counts 200 times toward a pain point's size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from detectors.painpoints.result import UNASSIGNED


@dataclass(frozen=True)
class Assignment:
    """Cluster per unique text (-1 = unassigned), unit centroids, and each cluster's acceptance cosine."""

    labels: np.ndarray
    centroids: np.ndarray
    accept_similarity: np.ndarray


def centroids_of(vectors: np.ndarray, labels: np.ndarray, counts: np.ndarray, n_clusters: int) -> np.ndarray:
    """Unit-length, ticket-weighted mean vector of each cluster 0..n_clusters-1."""
    sums = np.zeros((n_clusters, vectors.shape[1]), dtype=np.float64)
    kept = labels >= 0
    np.add.at(sums, labels[kept], vectors[kept] * counts[kept, None])
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    return (sums / np.where(norms == 0, 1.0, norms)).astype(np.float32)


def _renumber_by_size(labels: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Clusters numbered by ticket count, largest first; ties by first member (deterministic)."""
    kept = labels >= 0
    if not kept.any():
        return labels
    sizes = np.bincount(labels[kept], weights=counts[kept])
    first = np.full(sizes.size, labels.size)
    np.minimum.at(first, labels[kept], np.flatnonzero(kept))
    order = sorted((c for c in range(sizes.size) if sizes[c] > 0), key=lambda c: (-sizes[c], first[c]))
    mapping = np.full(sizes.size, UNASSIGNED)
    mapping[order] = np.arange(len(order))
    out = labels.copy()
    out[kept] = mapping[labels[kept]]
    return out


def assign_pain_points(
    vectors: np.ndarray,
    communities: np.ndarray,
    counts: np.ndarray,
    min_cluster_size: int,
    outlier_similarity: float,
    max_unassigned_share: float,
) -> Assignment:
    """Turn communities into pain points.

    Communities smaller than ``min_cluster_size`` tickets are dissolved; their texts, like any
    text whose cosine to its own centroid is under ``outlier_similarity``, are re-homed to the
    nearest pain point when they are as close to it as its own members, else left unassigned.
    If more than ``max_unassigned_share`` of tickets end up unassigned, the closest of them are
    re-homed anyway until the share holds.
    """
    labels = communities.copy()
    sizes = np.bincount(labels, weights=counts) if labels.size else np.zeros(0)
    labels[sizes[labels] < min_cluster_size] = UNASSIGNED
    labels = _renumber_by_size(labels, counts)
    n_clusters = int(labels.max()) + 1 if (labels >= 0).any() else 0
    if n_clusters == 0:
        return Assignment(labels, np.zeros((0, vectors.shape[1]), np.float32), np.zeros(0, np.float32))
    centroids = centroids_of(vectors, labels, counts, n_clusters)
    own = np.einsum("ij,ij->i", vectors, centroids[np.maximum(labels, 0)])
    labels[(labels >= 0) & (own < outlier_similarity)] = UNASSIGNED
    accept = _acceptance(own, labels, n_clusters, outlier_similarity)
    labels = _rehome(vectors, labels, counts, centroids, accept, max_unassigned_share)
    return Assignment(labels, centroids, accept)


# A text this close to a centroid always belongs: tight clusters of near-copies would otherwise
# reject a new wording of the same problem.
_ALWAYS_ACCEPT_SIMILARITY = 0.5


def _acceptance(own: np.ndarray, labels: np.ndarray, n_clusters: int, floor: float) -> np.ndarray:
    """Per cluster, the cosine to its centroid that 95% of its members reach, within [floor, 0.5]."""
    accept = np.full(n_clusters, floor, dtype=np.float32)
    for cluster in range(n_clusters):
        member_sims = own[labels == cluster]
        if member_sims.size:
            q05 = float(np.quantile(member_sims, 0.05))
            accept[cluster] = max(floor, min(q05, _ALWAYS_ACCEPT_SIMILARITY))
    return accept


def _rehome(
    vectors: np.ndarray,
    labels: np.ndarray,
    counts: np.ndarray,
    centroids: np.ndarray,
    accept: np.ndarray,
    max_unassigned_share: float,
) -> np.ndarray:
    """Give unassigned texts to their nearest pain point when close enough, then enforce the share."""
    out = labels.copy()
    loose = np.flatnonzero(out == UNASSIGNED)
    if loose.size == 0:
        return out
    sims = vectors[loose] @ centroids.T
    nearest = sims.argmax(axis=1)
    best = sims[np.arange(loose.size), nearest]
    close = best >= accept[nearest]
    out[loose[close]] = nearest[close]
    # Still too many left: re-home the most similar first until the share is met.
    allowed = int(np.floor(max_unassigned_share * counts.sum()))
    remaining = np.flatnonzero(~close)
    order = remaining[np.argsort(-best[remaining], kind="stable")]
    left = counts[loose[order]].sum()
    for i in order:
        if left <= allowed:
            break
        out[loose[i]] = nearest[i]
        left -= counts[loose[i]]
    return out
