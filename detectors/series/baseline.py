"""What each observation is expected to be: a seasonal median, or a rolling median of the recent past."""

from __future__ import annotations

import math

import numpy as np

from detectors.series.panel import Panel
from detectors.series.robust import nan_median_first_axis, trailing_median

# A seasonal baseline starts once its past seasons cover this long: two past days for the daily
# one, one past week for the weekly one. Waiting for two weeks left a young series' second week to
# the daily baseline, which takes every weekend for a drop and every Monday for a climb.
SEASONS_SPAN_HOURS = 48.0


def rolling_baseline(panel: Panel) -> np.ndarray:
    """Median of the ``window_hours`` before each observation (the observation itself excluded)."""
    window = panel.windows.baseline
    return trailing_median(panel.values, window, min_count=max(1, math.ceil(window / 4)), lag=1)


def seasonal_baseline(panel: Panel, season_seconds: float) -> np.ndarray:
    """Median over past seasons of the local level at the same phase (same hour of the day).

    The local level at a past instant is the median of ``smooth_hours`` of data centred on it,
    which is all in the past as long as the season is longer than half that width.

    Returns:
        NaN where fewer past seasons are known than cover ``SEASONS_SPAN_HOURS``.
    """
    windows = panel.windows
    smooth = windows.smooth
    level = (
        panel.values
        if smooth == 1
        else trailing_median(panel.values, smooth, min_count=math.ceil(smooth / 2))
    )
    # The trailing median ending half a window after the past instant is centred on it.
    half_seconds = (smooth - 1) / 2.0 * windows.step_seconds
    tolerance = windows.step_seconds / 2.0
    lookups = [
        lookup_past(panel.seconds, level, k * season_seconds - half_seconds, tolerance)
        for k in range(1, windows.season_count + 1)
    ]
    needed = max(1, math.ceil(SEASONS_SPAN_HOURS * 3600.0 / season_seconds))
    return nan_median_first_axis(np.stack(lookups), min_count=min(needed, windows.season_count))


def lookup_past(
    seconds: np.ndarray, values: np.ndarray, offset_seconds: float, tolerance_seconds: float
) -> np.ndarray:
    """Value of the same column at the row nearest to ``offset_seconds`` earlier.

    Returns:
        NaN where no row of that column lies within ``tolerance_seconds`` of the wanted time.
    """
    rows, columns = seconds.shape
    finite = np.isfinite(seconds)
    span = float(seconds[finite].max()) if finite.any() else 0.0
    # Lay all columns end to end on one axis, far enough apart that a search never crosses over.
    stride = span + abs(offset_seconds) + 4.0 * tolerance_seconds + 2.0
    base = np.arange(columns, dtype=float) * stride
    filled = np.where(finite, seconds, span + 1.0) + base
    flat = filled.T.ravel()
    targets = (seconds - offset_seconds + base).T.ravel()
    after = np.searchsorted(flat, targets)
    best = np.full(targets.shape, -1, dtype=np.int64)
    best_distance = np.full(targets.shape, np.inf)
    own_column = np.repeat(np.arange(columns), rows)
    flat_finite = finite.T.ravel()
    for candidate in (after - 1, after):
        inside = (candidate >= 0) & (candidate < flat.size)
        safe = np.clip(candidate, 0, flat.size - 1)
        distance = np.abs(flat[safe] - targets)
        usable = inside & flat_finite[safe] & (safe // rows == own_column) & (distance <= tolerance_seconds)
        better = usable & (distance < best_distance)
        best = np.where(better, safe, best)
        best_distance = np.where(better, distance, best_distance)
    found = values.T.ravel()[np.clip(best, 0, None)]
    found = np.where((best >= 0) & flat_finite, found, np.nan)
    return found.reshape(columns, rows).T
