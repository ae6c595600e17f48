"""Between full re-clusterings: place new tickets in the pain points of the last fit.

A full fit (embedding, community search, labelling) costs seconds on a queue of thousands of
tickets, and an hour adds a few dozen. An hourly run places those in the pain point whose centroid
accepts them, as ``PainPointClusterer.predict`` does, and leaves the rest unplaced; ``recluster_reason``
says when enough has changed that the whole window should be clustered again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from detectors.painpoints.embedder import Embedder
from detectors.painpoints.result import UNASSIGNED
from detectors.painpoints.text import deduplicate_texts


def nearest_accepted(vectors: np.ndarray, centroids: np.ndarray, accept: np.ndarray) -> np.ndarray:
    """Per row of ``vectors``, the index of its nearest centroid when its cosine reaches that centroid's
    ``accept`` similarity, else ``UNASSIGNED``."""
    if vectors.shape[0] == 0 or centroids.shape[0] == 0:
        return np.full(vectors.shape[0], UNASSIGNED, dtype=np.int64)
    sims = vectors @ centroids.T
    nearest = sims.argmax(axis=1)
    close = sims[np.arange(len(nearest)), nearest] >= accept[nearest]
    return np.where(close, nearest, UNASSIGNED).astype(np.int64)


def place_texts(
    texts: Sequence[str],
    embedder: Embedder,
    centroids: np.ndarray,
    accept: np.ndarray,
    clean: Callable[[str], str] | None = None,
) -> np.ndarray:
    """Per text, the accepting centroid's index or ``UNASSIGNED``; texts are cleaned and deduplicated
    the way the clusterer prepared the texts it fitted (``clean`` is its boilerplate stripper)."""
    out = np.full(len(texts), UNASSIGNED, dtype=np.int64)
    if not texts or centroids.shape[0] == 0:
        return out
    unique = deduplicate_texts(texts, clean)
    if not unique.texts:
        return out
    vectors = np.asarray(embedder.embed(list(unique.texts)), dtype=np.float32)
    per_unique = nearest_accepted(vectors, centroids, accept)
    has = unique.row_to_unique >= 0
    out[has] = per_unique[unique.row_to_unique[has]]
    return out


@dataclass(frozen=True)
class FitMemory:
    """What a full fit leaves for the runs that only place new tickets until the next fit.

    ``corrections`` fingerprints the corrections the fit applied; ``unplaced`` are the tickets it left
    unassigned (placing them again would repeat its decision); ``accept`` and ``described`` are per
    pain point id: the cosine a new ticket needs to join it, and its key terms and examples;
    ``language_offsets`` are the fit's per-language offsets (``language_centring``), which the
    tickets placed until the next fit must be centred with, as the fit's were.
    """

    fitted_at: datetime
    tickets: int
    embedder_name: str
    unassigned_share: float
    min_cluster_size: int
    corrections: str
    unplaced: frozenset[str] = frozenset()
    accept: Mapping[str, float] = field(default_factory=dict)
    described: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict)
    language_offsets: Mapping[str, Sequence[float]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "fitted_at": self.fitted_at.isoformat(),
            "tickets": self.tickets,
            "embedder_name": self.embedder_name,
            "unassigned_share": self.unassigned_share,
            "min_cluster_size": self.min_cluster_size,
            "corrections": self.corrections,
            "unplaced": sorted(self.unplaced),
            "accept": dict(self.accept),
            "described": {p: [list(terms), list(examples)] for p, (terms, examples) in self.described.items()},
            "language_offsets": {language: list(offset) for language, offset in self.language_offsets.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> FitMemory | None:
        """Rebuild from ``to_dict`` output; None for no or unreadable state (the next run then fits)."""
        if not data:
            return None
        try:
            return cls(
                fitted_at=datetime.fromisoformat(data["fitted_at"]),
                tickets=int(data["tickets"]),
                embedder_name=str(data["embedder_name"]),
                unassigned_share=float(data["unassigned_share"]),
                min_cluster_size=int(data["min_cluster_size"]),
                corrections=str(data["corrections"]),
                unplaced=frozenset(str(t) for t in data.get("unplaced", ())),
                accept={str(p): float(a) for p, a in data.get("accept", {}).items()},
                described={str(p): (tuple(d[0]), tuple(d[1])) for p, d in data.get("described", {}).items()},
                language_offsets={str(k): [float(x) for x in v] for k, v in data.get("language_offsets", {}).items()},
            )
        except (KeyError, TypeError, ValueError, IndexError):
            return None


@dataclass(frozen=True)
class RefitPolicy:
    """When placing is not enough: the fit is ``max_age`` old, or the queue changed by ``max_change``."""

    max_age: timedelta = timedelta(hours=24)
    max_change: float = 0.1


def recluster_reason(
    memory: FitMemory | None,
    now: datetime,
    embedder_name: str,
    corrections: str,
    tickets: int,
    new_tickets: int,
    new_unplaced: int,
    policy: RefitPolicy = RefitPolicy(),
) -> str | None:
    """Why this run must cluster the whole window again, or None when placing new tickets will do.

    ``new_tickets`` are the window's tickets the fit did not see; ``new_unplaced`` those of them no
    pain point accepted. A fit leaves a share of tickets unassigned as a matter of course; when the
    new ones left out exceed that share by a smallest pain point's worth, they may be a new problem,
    and a product manager should see it within the hour rather than at the daily fit.
    """
    if memory is None:
        return "no earlier fit"
    if memory.embedder_name != embedder_name:
        return "the text vectors changed"
    if memory.corrections != corrections:
        return "a person corrected the pain points"
    if not timedelta(0) < now - memory.fitted_at < policy.max_age:
        return f"the fit is {policy.max_age} old"
    if new_tickets > policy.max_change * memory.tickets or tickets < (1 - policy.max_change) * memory.tickets:
        return f"the queue changed by more than {policy.max_change:.0%}"
    if new_unplaced - memory.unassigned_share * new_tickets >= memory.min_cluster_size:
        return f"{new_unplaced} new tickets found no pain point"
    return None
