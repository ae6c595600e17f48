"""Causal robust statistics over the columns of a (rows, series) array."""

from __future__ import annotations

import numpy as np
import pandas as pd

# Scales a median absolute deviation to a standard deviation under normal noise.
MAD_TO_SIGMA = 1.4826


def trailing_median(values: np.ndarray, window: int, min_count: int, *, lag: int = 0) -> np.ndarray:
    """Median of each column over the ``window`` rows ending ``lag`` rows before the current one.

    NaNs are skipped; a row with fewer than ``min_count`` values gets NaN. ``lag=1`` excludes
    the current row, so a point is never compared with a baseline that contains it.
    """
    frame = pd.DataFrame(values)
    if lag:
        frame = frame.shift(lag)
    medians = frame.rolling(window, min_periods=min(min_count, window)).median()
    return medians.to_numpy(dtype=float)


def trailing_mean(values: np.ndarray, window: int, min_count: int, *, lag: int = 1) -> np.ndarray:
    """Mean of each column over the ``window`` rows ending ``lag`` rows before the current one."""
    frame = pd.DataFrame(values)
    if lag:
        frame = frame.shift(lag)
    return frame.rolling(window, min_periods=min(min_count, window)).mean().to_numpy(dtype=float)


def trailing_max(values: np.ndarray, window: int) -> np.ndarray:
    """Largest value of each column over the ``window`` rows before the current one (NaN if none)."""
    return pd.DataFrame(values).shift(1).rolling(window, min_periods=1).max().to_numpy(dtype=float)


def trailing_spread(residuals: np.ndarray, window: int, min_count: int) -> np.ndarray:
    """Robust size of past residuals: 1.4826 x the median absolute residual, current row excluded."""
    return MAD_TO_SIGMA * trailing_median(np.abs(residuals), window, min_count, lag=1)


def trailing_move_size(residuals: np.ndarray, window: int, lag: int) -> np.ndarray:
    """Robust size of past moves: 1.4826 x the median nonzero absolute residual of ``window`` rows
    ending ``lag`` rows back.

    Equals ``trailing_spread`` on continuous noise; where most residuals are exactly zero it is
    still the size of the moves the series does make. 0 where the window holds no move.
    """
    size = np.abs(residuals)
    moves = trailing_median(np.where(size > 0, size, np.nan), window, 1, lag=lag)
    return MAD_TO_SIGMA * np.nan_to_num(moves, nan=0.0)


def nan_median_first_axis(stack: np.ndarray, min_count: int) -> np.ndarray:
    """Median along axis 0 ignoring NaNs; NaN where fewer than ``min_count`` values exist.

    Faster than ``np.nanmedian`` for a short first axis: one sort, then pick the middle.
    """
    ordered = np.sort(stack, axis=0)  # NaNs sort last
    counts = np.sum(~np.isnan(stack), axis=0)
    low = np.clip((counts - 1) // 2, 0, stack.shape[0] - 1)
    high = np.clip(counts // 2, 0, stack.shape[0] - 1)
    pick_low = np.take_along_axis(ordered, low[np.newaxis], axis=0)[0]
    pick_high = np.take_along_axis(ordered, high[np.newaxis], axis=0)[0]
    median = (pick_low + pick_high) / 2.0
    return np.where(counts >= max(min_count, 1), median, np.nan)


def count_like_so_far(values: np.ndarray) -> np.ndarray:
    """True where every value of the column up to this row is a non-negative whole number."""
    finite = np.isfinite(values)
    bad = finite & ((values < 0) | (values != np.round(values)))
    return np.cumsum(bad, axis=0) == 0
