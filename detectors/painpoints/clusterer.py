"""``PainPointClusterer``: ticket texts in, recurring pain points with readable labels out.

Stages, each a swappable object: embed (``embedder``) -> reduce (``reducer``) -> cluster
(``community``) -> label (``labeling``). The number of pain points is found, not given; tickets
that fit none stay unassigned (label -1).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.utils.validation import check_is_fitted

from detectors.painpoints import boilerplate
from detectors.painpoints.assignment import assign_pain_points
from detectors.painpoints.community import LouvainClusterer
from detectors.painpoints.embedder import Embedder, default_embedder, fit_and_embed
from detectors.painpoints.labeling import describe_clusters
from detectors.painpoints.language_centring import LanguageCentredEmbedder
from detectors.painpoints.placement import place_texts
from detectors.painpoints.reducer import PcaReducer
from detectors.painpoints.result import UNASSIGNED, FitResult, PainPoint
from detectors.painpoints.text import deduplicate_texts, truncate_text, validate_texts

logger = logging.getLogger(__name__)

StageProgress = Callable[[str, int, int], None]  # (stage name, done, total)
_SHOWN_CHARS = 300  # representative texts are previews, not whole tickets


def _prior_per_unique(prior_groups, unique, n_rows: int) -> np.ndarray | None:
    """Earlier group of each unique text: the one most of its rows had (-1 when none had one)."""
    if prior_groups is None:
        return None
    prior = np.asarray(prior_groups, dtype=np.int64)
    if prior.shape != (n_rows,):
        raise ValueError(f"prior_groups has {prior.size} values for {n_rows} texts")
    out = np.full(len(unique.texts), -1, dtype=np.int64)
    for u in np.unique(unique.row_to_unique[unique.row_to_unique >= 0]):
        groups = prior[(unique.row_to_unique == u) & (prior >= 0)]
        if groups.size:
            out[u] = np.bincount(groups).argmax()
    return out


class PainPointClusterer(ClusterMixin, BaseEstimator):
    """Find recurring pain points in ticket texts.

    Args:
        embedder: embed stage; ``None`` picks all-MiniLM-L6-v2 when installed, else TF-IDF/LSA.
        reducer: reduce stage before the neighbour graph; ``None`` is PCA to 128 dimensions
            (same quality on BANKING77, 3-5x less neighbour-search time on 50,000 tickets).
        community: cluster stage; ``None`` is Louvain on a k-NN graph, degree and resolution read from the data.
        min_cluster_size: fewest tickets a pain point needs; ``None`` scales with the input:
            max(3, ceil(n_tickets / 1000)).
        outlier_similarity: a ticket whose cosine to its pain point's centroid is lower is unassigned.
        max_unassigned_share: at most this share of tickets is left unassigned.
        n_key_terms: key terms kept per pain point.
        random_state: seed of the community search.
        strip_boilerplate: embed and label tickets without greetings, sign-offs, signatures, quoted
            mail and chat/phone preambles (``boilerplate.strip_boilerplate``); shown texts stay whole.
        centre_languages: centre the vectors of tickets in a second language on the main language's
            (``language_centring``), so they cluster by problem; ``embedder_`` then wraps the embedder.

    Attributes:
        labels_: pain point index per fitted text, -1 for unassigned.
        pain_points_: tuple of ``PainPoint``, index = label.
        centroids_: unit centroid per pain point in the embedder's space.
        accept_similarity_: cosine to a centroid a new text needs to join that pain point.
        min_cluster_size_: fewest tickets a pain point needed in this fit.
        embedder_: the embedder used (fitted when it learns from the data).
        result_: ``FitResult`` for ``assign_stable_ids``.
    """

    def __init__(
        self,
        *,
        embedder: Embedder | None = None,
        reducer: object | None = None,
        community: object | None = None,
        min_cluster_size: int | None = None,
        outlier_similarity: float = 0.3,
        max_unassigned_share: float = 0.10,
        n_key_terms: int = 8,
        random_state: int = 0,
        strip_boilerplate: bool = True,
        centre_languages: bool = True,
    ) -> None:
        self.embedder = embedder
        self.reducer = reducer
        self.community = community
        self.min_cluster_size = min_cluster_size
        self.outlier_similarity = outlier_similarity
        self.max_unassigned_share = max_unassigned_share
        self.n_key_terms = n_key_terms
        self.random_state = random_state
        self.strip_boilerplate = strip_boilerplate
        self.centre_languages = centre_languages

    def fit(
        self,
        X: Sequence[str],  # noqa: N803
        y: None = None,
        *,
        prior_groups: Sequence[int] | None = None,
        progress: StageProgress | None = None,
    ):
        """Cluster the texts ``X``; returns self.

        Args:
            prior_groups: optional earlier group per row (-1 = new ticket), e.g. from
                ``PainPointRegistry.prior_groups``; the clustering then stays close to it.
            progress: called as (stage, done, total) while embedding, clustering and labelling.

        Raises:
            ValueError: if ``X`` is empty, holds non-string values, or ``prior_groups`` has the wrong length.
        """
        texts = validate_texts(X, "X")
        if not texts:
            raise ValueError("no tickets to cluster: the input holds 0 texts")
        self._check_params()
        unique = self._unique(texts)
        self.embedder_, vectors = self._fit_and_embed(unique.texts, progress)
        communities = self._communities(vectors, _prior_per_unique(prior_groups, unique, len(texts)))
        if progress is not None:
            progress("cluster", 1, 1)
        assignment = assign_pain_points(
            vectors,
            communities,
            unique.counts,
            self._min_cluster_size(len(texts)),
            self.outlier_similarity,
            self.max_unassigned_share,
        )
        row_labels = np.full(len(texts), UNASSIGNED, dtype=np.int64)
        has_words = unique.row_to_unique >= 0
        row_labels[has_words] = assignment.labels[unique.row_to_unique[has_words]]
        self.labels_ = row_labels.astype(np.int64)
        self.centroids_ = assignment.centroids
        self.accept_similarity_ = assignment.accept_similarity
        self.min_cluster_size_ = self._min_cluster_size(len(texts))
        self.pain_points_ = self._describe(texts, unique, vectors, assignment.labels)
        if progress is not None:
            progress("label", 1, 1)
        self.result_ = FitResult(self.labels_, self.pain_points_, self.centroids_, self.embedder_.name)
        logger.info(
            "clustered %s tickets (%s distinct) into %s pain points, %.1f%% unassigned",
            len(texts),
            len(unique.texts),
            len(self.pain_points_),
            100 * self.result_.unassigned_share,
        )
        return self

    def fit_predict(self, X: Sequence[str], y: None = None, **kwargs) -> np.ndarray:  # noqa: N803
        """Fit and return ``labels_``."""
        return self.fit(X, **kwargs).labels_

    def predict(self, X: Sequence[str]) -> np.ndarray:  # noqa: N803
        """Assign new texts to the fitted pain points: nearest centroid if close enough, else -1."""
        check_is_fitted(self, "result_")
        texts = validate_texts(X, "X")
        return place_texts(texts, self.embedder_, self.centroids_, self.accept_similarity_, self.text_cleaner)

    @property
    def text_cleaner(self) -> Callable[[str], str] | None:
        """What is done to each text before it is deduplicated and embedded (None: nothing)."""
        return boilerplate.strip_boilerplate if self.strip_boilerplate else None

    def _unique(self, texts: Sequence[str]):  # noqa: ANN202 - UniqueTexts
        return deduplicate_texts(texts, self.text_cleaner)

    def _check_params(self) -> None:
        if self.min_cluster_size is not None and self.min_cluster_size < 1:
            raise ValueError(f"min_cluster_size must be >= 1 or None, got {self.min_cluster_size!r}")
        if not 0.0 <= self.max_unassigned_share <= 1.0:
            raise ValueError(f"max_unassigned_share must be within [0, 1], got {self.max_unassigned_share!r}")

    def _min_cluster_size(self, n_tickets: int) -> int:
        if self.min_cluster_size is not None:
            return self.min_cluster_size
        return max(3, math.ceil(n_tickets / 1000))

    @property
    def resolution_(self) -> float | None:
        """The community stage's resolution in the last fit (None for a stage without one)."""
        return getattr(getattr(self, "community_", None), "resolution_", None)

    @property
    def n_neighbors_(self) -> int | None:
        """The community stage's graph degree in the last fit (None for a stage without one)."""
        return getattr(getattr(self, "community_", None), "n_neighbors_", None)

    def embedding_texts(self, X: Sequence[str]) -> list[str]:  # noqa: N803
        """The distinct texts ``fit`` would embed for ``X`` (boilerplate stripped, duplicates merged).

        For callers that fit an embedder's token weights once and keep them across runs.
        """
        return list(self._unique(validate_texts(X, "X")).texts)

    def _fit_and_embed(self, texts: Sequence[str], progress: StageProgress | None) -> tuple[Embedder, np.ndarray]:
        """The embedder fitted on ``texts`` (as given when it has nothing to learn, e.g. weights kept from an
        earlier run) and their vectors, in one pass where the embedder offers one."""
        embedder = self.embedder if self.embedder is not None else default_embedder()
        if self.centre_languages and not isinstance(embedder, LanguageCentredEmbedder):
            embedder = LanguageCentredEmbedder(embedder)
        if not texts:
            return embedder, np.zeros((0, 1), dtype=np.float32)
        report = None if progress is None else (lambda done, total: progress("embed", done, total))
        fitted, vectors = fit_and_embed(embedder, list(texts), report)
        return fitted, np.asarray(vectors, dtype=np.float32)

    def _communities(self, vectors: np.ndarray, prior: np.ndarray | None) -> np.ndarray:
        if vectors.shape[0] == 0:
            return np.zeros(0, dtype=np.int64)
        reducer = self.reducer if self.reducer is not None else PcaReducer(128)
        community = self.community if self.community is not None else LouvainClusterer()
        self.community_ = community
        reduced = reducer.reduce(vectors, self.random_state)
        if prior is None:
            return community.cluster(reduced, self.random_state)
        return community.cluster(reduced, self.random_state, prior=prior)

    def _describe(self, texts, unique, vectors, unique_labels) -> tuple[PainPoint, ...]:
        n_clusters = len(self.centroids_)
        if n_clusters == 0:
            return ()
        # Show each representative as a ticket actually wrote it, not its normalised key.
        first_row = {}
        for row, u in enumerate(unique.row_to_unique):
            first_row.setdefault(int(u), row)
        descriptions = describe_clusters(
            unique.texts, vectors, unique_labels, unique.counts, n_key_terms=self.n_key_terms,
            written=[texts[first_row[u]] for u in range(len(unique.texts))],
        )
        sizes = np.bincount(self.labels_[self.labels_ >= 0], minlength=n_clusters)
        return tuple(
            PainPoint(
                cluster=c,
                label=d.label,
                key_terms=d.key_terms,
                ticket_count=int(sizes[c]),
                representative_texts=tuple(
                    truncate_text(texts[first_row[u]], _SHOWN_CHARS) for u in d.representative_rows
                ),
            )
            for c, d in enumerate(descriptions)
        )
