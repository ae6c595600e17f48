"""Pain points: recurring problems found by clustering support-ticket text.

Public API: ``PainPointClusterer`` (fit texts, read ``labels_``/``pain_points_``/``result_``),
``assign_stable_ids`` with ``PainPointRegistry`` (ids that survive reruns), and the swappable
stages in ``embedder``, ``reducer``, ``community`` and ``labeling``.
"""

from detectors.painpoints.clusterer import PainPointClusterer
from detectors.painpoints.embedder import (
    Embedder,
    EmbedderUnavailableError,
    MiniLmEmbedder,
    TfidfLsaEmbedder,
    default_embedder,
)
from detectors.painpoints.identity import assign_stable_ids
from detectors.painpoints.onnx_model import OnnxMiniLmEmbedder
from detectors.painpoints.registry import HistoryEvent, PainPointRegistry, PainPointState
from detectors.painpoints.result import UNASSIGNED, FitResult, PainPoint
from detectors.painpoints.stored_embedder import CachingEmbedder, StoredEmbedder, VectorStore
from detectors.painpoints.token_weights import (
    TokenWeights,
    fit_token_weights,
    kept_weights,
    learns_token_weights,
    refit_reason,
    weights_for_run,
)

__all__ = [
    "UNASSIGNED",
    "CachingEmbedder",
    "Embedder",
    "EmbedderUnavailableError",
    "FitResult",
    "HistoryEvent",
    "MiniLmEmbedder",
    "OnnxMiniLmEmbedder",
    "PainPoint",
    "PainPointClusterer",
    "PainPointRegistry",
    "PainPointState",
    "StoredEmbedder",
    "TfidfLsaEmbedder",
    "TokenWeights",
    "VectorStore",
    "assign_stable_ids",
    "default_embedder",
    "fit_token_weights",
    "kept_weights",
    "learns_token_weights",
    "refit_reason",
    "weights_for_run",
]
