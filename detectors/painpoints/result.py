"""What a clustering run found: pain points with their labels, and one label per ticket."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

UNASSIGNED = -1


@dataclass(frozen=True)
class PainPoint:
    """One recurring pain point found in a run (``cluster`` is its index in that run only)."""

    cluster: int
    label: str
    key_terms: tuple[str, ...]
    ticket_count: int
    representative_texts: tuple[str, ...]


@dataclass(frozen=True)
class FitResult:
    """A run's output, in the form ``assign_stable_ids`` reconciles with earlier runs.

    ``labels[i]`` is the cluster of input row i, or -1 (unassigned). ``centroids[c]`` is the unit
    mean embedding of cluster c, in the embedder's space (``embedder_name``).
    """

    labels: np.ndarray
    pain_points: tuple[PainPoint, ...]
    centroids: np.ndarray
    embedder_name: str

    @property
    def unassigned_share(self) -> float:
        """Share of rows no pain point took."""
        return float(np.mean(self.labels == UNASSIGNED)) if self.labels.size else 0.0
