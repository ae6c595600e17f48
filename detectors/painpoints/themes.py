"""Themes: a coarse level over pain points, found by clustering the pain points' centroids.

A product manager reads "card payments" before the five card problems under it. Themes live in the
same vector space as the pain points, so they are computed from the pain point centroids alone
(no ticket is embedded again). The centroids are first centred on their ticket-weighted mean:
every sentence vector shares a large common direction, and measured from it all pain points look
alike (CLINC150 domains: NMI 0.55 raw against 0.63 centred at the same number of themes). Many
Louvain partitions of their k-NN graphs then vote (``coassociation``), and average linkage on the
share of votes joins two groups while most partitions hold their pain points together: on
CLINC150 and on four random samples of it, that beat average linkage on the centroids themselves
every time (README, design decisions).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.utils.validation import check_is_fitted

from detectors.painpoints.coassociation import coassociation
from detectors.painpoints.theme_labels import theme_labels
from detectors.painpoints.words import STOP_WORDS, tokenize


@dataclass(frozen=True)
class Theme:
    """One theme of a run (``theme`` is its index in that run only)."""

    theme: int
    label: str
    pain_point_count: int
    ticket_count: int


class ThemeClusterer(ClusterMixin, BaseEstimator):
    """Group pain point centroids into themes; the number of themes is found, not given.

    Args:
        min_agreement: two groups join while, on average over their pairs of pain points, at
            least this share of the partitions put the pair together (average linkage on the
            co-association); 0.5 is a majority vote, lower gives fewer, broader themes.
        max_themes: at most this many themes (the cut moves up until it holds); a report with more
            coarse groups than this stops being an overview.
        n_label_words: words in a theme label.
        prior_weight: share of the vote an earlier run's themes hold in a refit (``fit(prior=...)``). At
            0.25, two pain points the partitions join between a third and two thirds of the time keep the
            relation they had; a clearer vote either way still decides.
        random_state: seeds the Louvain runs, so a refit on the same pain points gives the same themes.

    Attributes:
        labels_: theme index per pain point row.
        themes_: tuple of ``Theme``, index = label.
        centroids_: unit, ticket-weighted centroid per theme.
    """

    def __init__(
        self,
        *,
        min_agreement: float = 0.5,
        max_themes: int = 40,
        n_label_words: int = 3,
        prior_weight: float = 0.25,
        random_state: int = 0,
    ) -> None:
        self.min_agreement = min_agreement
        self.prior_weight = prior_weight
        self.max_themes = max_themes
        self.n_label_words = n_label_words
        self.random_state = random_state

    def fit(
        self,
        X: np.ndarray,  # noqa: N803 - scikit-learn's name for the input matrix
        y: None = None,
        *,
        sample_weight: Sequence[float] | None = None,
        pain_point_labels: Sequence[str] | None = None,
        pain_point_texts: Sequence[Sequence[str]] | None = None,
        prior: Sequence[str | None] | None = None,
    ) -> ThemeClusterer:
        """Cluster pain point centroids ``X`` (one row each) into themes.

        Args:
            X: pain point centroids, one row per pain point, in the embedder's space.
            sample_weight: ticket count per pain point (default 1 each).
            pain_point_labels: label per pain point, for the theme labels (default none: "theme N").
            pain_point_texts: ticket texts per pain point; with them a theme is named by the phrase its
                tickets share (``theme_labels``), without them by the words its pain points' labels share.
            prior: each pain point's theme in the earlier run (any hashable id; None for one new since).
                Two pain points that shared a theme then count as joined by ``prior_weight`` of the votes,
                two that did not as apart: the vote of a refit moves with every new ticket, and without this
                a theme's membership changed from one day to the next though nothing about it had.

        Raises:
            ValueError: on bad hyperparameters or inputs of mismatched length.
        """
        vectors = self._validated(X)
        n = vectors.shape[0]
        weights = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        if weights.shape != (n,):
            raise ValueError(f"sample_weight has {weights.size} values for {n} pain points")
        names = list(pain_point_labels) if pain_point_labels is not None else [""] * n
        if len(names) != n:
            raise ValueError(f"pain_point_labels has {len(names)} values for {n} pain points")
        if pain_point_texts is not None and len(pain_point_texts) != n:
            raise ValueError(f"pain_point_texts has {len(pain_point_texts)} values for {n} pain points")
        if prior is not None and len(prior) != n:
            raise ValueError(f"prior has {len(prior)} values for {n} pain points")
        self.labels_ = self._cut(self._centred(vectors, weights), prior)
        self.centroids_ = self._centroids(vectors, weights)
        read = theme_labels(pain_point_texts, weights, self.labels_, names) if pain_point_texts is not None else {}
        self.themes_ = tuple(
            Theme(
                theme=t,
                label=read.get(t) or self._label([names[i] for i in members], weights[members]) or f"theme {t + 1}",
                pain_point_count=int(members.size),
                ticket_count=int(weights[members].sum()),
            )
            for t, members in ((t, np.flatnonzero(self.labels_ == t)) for t in range(len(self.centroids_)))
        )
        return self

    def fit_predict(self, X: np.ndarray, y: None = None, **kwargs) -> np.ndarray:  # noqa: N803
        """Fit and return the theme of each pain point."""
        return self.fit(X, **kwargs).labels_

    def predict(self, X: np.ndarray) -> np.ndarray:  # noqa: N803
        """The nearest theme centroid of each pain point centroid in ``X``."""
        check_is_fitted(self, "centroids_")
        vectors = self._validated(X)
        return np.argmax(vectors @ self.centroids_.T, axis=1) if len(self.centroids_) else np.zeros(0, dtype=int)

    def _validated(self, X: np.ndarray) -> np.ndarray:  # noqa: N803
        if not 0.0 < self.min_agreement < 1.0:
            raise ValueError(f"min_agreement must be in (0, 1), got {self.min_agreement!r}")
        if not 0.0 <= self.prior_weight < 1.0:
            raise ValueError(f"prior_weight must be in [0, 1), got {self.prior_weight!r}")
        if self.max_themes < 1:
            raise ValueError(f"max_themes must be at least 1, got {self.max_themes!r}")
        vectors = np.asarray(X, dtype=np.float64)
        if vectors.ndim != 2:
            raise ValueError(f"X must be a 2-D array of centroids, got shape {vectors.shape}")
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms > 0, norms, 1.0)

    @staticmethod
    def _centred(vectors: np.ndarray, weights: np.ndarray) -> np.ndarray:
        # Below three pain points the mean is mostly the points themselves: centring would push
        # two similar ones apart.
        if vectors.shape[0] < 3:
            return vectors
        shifted = vectors - (vectors * weights[:, None]).sum(axis=0) / max(weights.sum(), 1e-12)
        norms = np.linalg.norm(shifted, axis=1, keepdims=True)
        return shifted / np.where(norms > 0, norms, 1.0)

    def _cut(self, vectors: np.ndarray, prior: Sequence[str | None] | None) -> np.ndarray:
        n = vectors.shape[0]
        if n < 2:
            return np.zeros(n, dtype=np.int64)
        together = coassociation(vectors, self.random_state)
        if prior is not None and self.prior_weight > 0:
            number: dict[str, int] = {}
            codes = np.array([-1 if p is None else number.setdefault(p, len(number)) for p in prior], dtype=np.int64)
            known = codes >= 0
            both = known[:, None] & known[None, :]
            same = (codes[:, None] == codes[None, :]).astype(np.float64)
            together = np.where(both, (1.0 - self.prior_weight) * together + self.prior_weight * same, together)
        tree = linkage(squareform(1.0 - together, checks=False), method="average")
        labels = fcluster(tree, t=1.0 - self.min_agreement, criterion="distance")
        if labels.max() > self.max_themes:
            labels = fcluster(tree, t=self.max_themes, criterion="maxclust")
        # Renumber largest theme first, so theme 0 is the biggest and numbering is repeatable.
        counts = Counter(labels.tolist())
        order = sorted(counts, key=lambda c: (-counts[c], int(np.flatnonzero(labels == c)[0])))
        rank = {c: i for i, c in enumerate(order)}
        return np.array([rank[c] for c in labels], dtype=np.int64)

    def _centroids(self, vectors: np.ndarray, weights: np.ndarray) -> np.ndarray:
        k = int(self.labels_.max()) + 1 if self.labels_.size else 0
        sums = np.zeros((k, vectors.shape[1]))
        np.add.at(sums, self.labels_, vectors * weights[:, None])
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        return sums / np.where(norms > 0, norms, 1.0)

    def _label(self, names: list[str], weights: np.ndarray) -> str:
        """The words most of the theme's tickets' pain point labels share, most frequent first.

        A word counts once per pain point, weighted by its tickets, and only words in at least two
        pain points (or the only one) qualify: one large pain point's words would otherwise name a
        theme that mostly holds other problems.
        """
        if len(names) == 1:
            return names[0]  # a theme of one pain point reads best under that pain point's own name
        score: Counter[str] = Counter()
        spread: Counter[str] = Counter()
        for name, weight in zip(names, weights, strict=True):
            for word in dict.fromkeys(w for w in tokenize(name) if w not in STOP_WORDS and len(w) > 1):
                score[word] += float(weight)
                spread[word] += 1
        ranked = [w for w, _ in sorted(score.items(), key=lambda kv: (-kv[1], kv[0])) if spread[w] >= 2]
        if not ranked:
            ranked = [w for w, _ in sorted(score.items(), key=lambda kv: (-kv[1], kv[0]))]
        return " / ".join(ranked[: self.n_label_words])
