"""Fixtures for the pain point tests: BANKING77 and one MiniLM embedding cache per session."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from detectors.painpoints import (
    CachingEmbedder,
    EmbedderUnavailableError,
    OnnxMiniLmEmbedder,
    PainPointClusterer,
)

REPO_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def banking77() -> pd.DataFrame:
    """BANKING77 train (text, category), or skip when the shared data is absent."""
    root = Path(os.environ.get("FOREWARN_SHARED_DATA") or REPO_ROOT.parent / "shared" / "data")
    path = root / "banking77" / "train.csv"
    if not path.is_file():
        pytest.skip(f"BANKING77 not found at {path}: set FOREWARN_SHARED_DATA to the shared/data folder")
    return pd.read_csv(path)


@pytest.fixture(scope="session")
def minilm() -> CachingEmbedder:
    """all-MiniLM-L6-v2 in float32 on ONNX Runtime, mean-pooled as the model was trained, cached per session.

    For tests of the model itself; the product pools with IDF token weights (``minilm_idf``).
    """
    embedder = OnnxMiniLmEmbedder(idf_power=None)
    try:
        embedder._load()
    except EmbedderUnavailableError as exc:
        pytest.skip(f"all-MiniLM-L6-v2 is not installed: {exc}")
    return CachingEmbedder(embedder)


@pytest.fixture(scope="session")
def minilm_idf() -> OnnxMiniLmEmbedder:
    """The product's pooling (IDF token weights, fitted by each clusterer on its texts), float32, loaded once."""
    embedder = OnnxMiniLmEmbedder()
    try:
        embedder._load()
    except EmbedderUnavailableError as exc:
        pytest.skip(f"all-MiniLM-L6-v2 is not installed: {exc}")
    return embedder


@pytest.fixture(scope="session")
def banking77_model(banking77: pd.DataFrame, minilm_idf: OnnxMiniLmEmbedder) -> PainPointClusterer:
    """The clusterer fitted on all of BANKING77 with default settings."""
    return PainPointClusterer(embedder=minilm_idf).fit(banking77["text"].tolist())
