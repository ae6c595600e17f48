"""Small synthetic series shared by the series-detector tests (imported as a plain module)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def hourly(days: float, start: str = "2024-01-01") -> pd.DatetimeIndex:
    """Hourly UTC timestamps covering ``days`` days."""
    return pd.date_range(start, periods=int(days * 24), freq="h", tz="UTC")


def noisy_level(size: int, *, level: float = 100.0, sigma: float = 1.0, seed: int = 0) -> np.ndarray:
    """Gaussian noise around a constant level."""
    return np.random.default_rng(seed).normal(level, sigma, size)


def daily_counts(stamps: pd.DatetimeIndex, *, mean: float, seed: int = 0) -> np.ndarray:
    """Poisson counts around a daily cycle (busy afternoons, quiet nights)."""
    phase = 2 * np.pi * (stamps.hour.to_numpy() + stamps.minute.to_numpy() / 60) / 24
    rate = mean * (1 + 0.6 * np.sin(phase - np.pi / 2))
    return np.random.default_rng(seed).poisson(rate).astype(float)


def alert_times(scored: pd.DataFrame) -> list[pd.Timestamp]:
    """Timestamps of the alert rows."""
    return list(scored.loc[scored["alert"], "timestamp"])
