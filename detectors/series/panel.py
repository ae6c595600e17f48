"""Series laid out side by side as columns of one array, so every statistic runs vectorised.

Row i of a column is the i-th observation of that series; shorter series are padded at the end.
Every statistic is causal (row i only reads rows <= i), so padding at the end never changes a
result: this is what lets one series and five thousand series give identical figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from detectors.series.settings import AnomalySettings

# The sampling step is inferred from the first spacings only, so a score never depends on
# how the series continues; those first observations are never scored.
STEP_SAMPLE_SPACINGS = 24


@dataclass(frozen=True)
class WindowSteps:
    """Window lengths in observations, derived from window hours and the sampling step."""

    baseline: int
    spread: int
    smooth: int
    shift: int
    record: int  # 0 when the record gate is off
    min_history_hours: float
    season_seconds: tuple[float, ...]
    season_count: int
    step_seconds: float
    trust: int = 0  # scored rows before a seasonal baseline may alert alone (0: at once)


@dataclass(frozen=True)
class Panel:
    """Series sharing one sampling step, as columns of (rows, series) arrays."""

    values: np.ndarray  # float, NaN where missing or padding
    seconds: np.ndarray  # float seconds since the column's first timestamp, +inf in padding
    positions: np.ndarray  # int row of the long input frame, -1 in padding
    first_scored_row: int  # rows before it only served to infer the step
    windows: WindowSteps


def window_steps(step_seconds: float, settings: AnomalySettings) -> WindowSteps:
    """Convert the hour-based windows of ``settings`` into observation counts for one step."""

    def steps(hours: float) -> int:
        return max(1, int(round(hours * 3600.0 / step_seconds)))

    return WindowSteps(
        baseline=steps(settings.window_hours),
        spread=steps(settings.spread_window_hours),
        smooth=max(1, (steps(settings.smooth_hours) - 1) // 2 * 2 + 1),  # odd: a centred median keeps a step edge sharp
        shift=steps(settings.shift_window_hours),
        record=steps(settings.record_window_hours) if settings.record_window_hours > 0 else 0,
        min_history_hours=settings.min_history_hours,
        season_seconds=tuple(h * 3600.0 for h in settings.season_hours),
        season_count=settings.season_count,
        step_seconds=step_seconds,
        trust=int(round(settings.seasonal_trust_hours * 3600.0 / step_seconds)),
    )


def infer_step_seconds(seconds: np.ndarray) -> float:
    """Median positive spacing of the first observations (NaN if there are too few).

    Only the first ``STEP_SAMPLE_SPACINGS`` spacings count, so the answer is known online.
    """
    if seconds.size <= STEP_SAMPLE_SPACINGS:
        return math.nan
    spacings = np.diff(seconds[: STEP_SAMPLE_SPACINGS + 1])
    spacings = spacings[spacings > 0]
    return float(np.median(spacings)) if spacings.size else math.nan


def fill_missing_with_zero(
    seconds: np.ndarray, values: np.ndarray, step_seconds: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Insert a zero at every grid step (from the first timestamp) that has no observation.

    Returns:
        seconds, values and the input position of each row (-1 for an inserted zero).
    """
    if seconds.size == 0:
        return seconds, values, np.arange(0)
    slots = np.rint(seconds / step_seconds).astype(np.int64)
    all_slots = np.arange(slots[-1] + 1)
    missing = np.setdiff1d(all_slots, slots, assume_unique=False)
    merged_seconds = np.concatenate([seconds, missing * step_seconds])
    merged_values = np.concatenate([values, np.zeros(missing.size)])
    merged_positions = np.concatenate([np.arange(seconds.size), np.full(missing.size, -1)])
    # Stable sort keeps observed rows before an inserted zero of the same instant.
    order = np.argsort(merged_seconds, kind="stable")
    return merged_seconds[order], merged_values[order], merged_positions[order]


def build_panels(
    series_codes: np.ndarray,
    timestamps_ns: np.ndarray,
    values: np.ndarray,
    settings: AnomalySettings,
) -> tuple[list[Panel], pd.DataFrame]:
    """Group series by their window lengths in steps and lay each group out as columns.

    The input must be sorted by series code, then timestamp.

    Returns:
        The panels, and a long frame of inserted zero rows (``code``, ``timestamp_ns``) for
        ``missing_as_zero``; its ``position`` continues after the input's rows.
    """
    if series_codes.size == 0:
        return [], pd.DataFrame({"code": [], "timestamp_ns": [], "position": []})
    bounds = np.flatnonzero(np.diff(series_codes)) + 1
    starts = np.concatenate([[0], bounds])
    ends = np.concatenate([bounds, [series_codes.size]])
    given_step = settings.step_hours * 3600.0
    inserted: list[pd.DataFrame] = []
    next_position = series_codes.size
    groups: dict[WindowSteps, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
    for start, end in zip(starts, ends, strict=True):
        origin = timestamps_ns[start]
        seconds = (timestamps_ns[start:end] - origin) / 1e9
        column_values = values[start:end]
        positions = np.arange(start, end)
        step = given_step if given_step > 0 else infer_step_seconds(seconds)
        if settings.missing_as_zero:
            seconds, column_values, local = fill_missing_with_zero(seconds, column_values, step)
            added = local < 0
            positions = np.where(added, -1, start + np.where(added, 0, local))
            if added.any():
                new_positions = np.arange(next_position, next_position + int(added.sum()))
                next_position += new_positions.size
                positions[added] = new_positions
                inserted.append(
                    pd.DataFrame(
                        {
                            "code": series_codes[start],
                            "timestamp_ns": origin + np.rint(seconds[added] * 1e9).astype(np.int64),
                            "position": new_positions,
                        }
                    )
                )
        if not math.isfinite(step):
            # Too short to know its step: nothing can be scored, but every row is reported.
            step = 3600.0
            seconds = seconds.copy()
            column_values = np.full(column_values.shape, np.nan)
        key = window_steps(step, settings)
        groups.setdefault(key, []).append((seconds, column_values, positions))
    panels = [
        _stack(columns, key, first_scored_row=0 if given_step > 0 else STEP_SAMPLE_SPACINGS)
        for key, columns in groups.items()
    ]
    extra = (
        pd.concat(inserted, ignore_index=True)
        if inserted
        else pd.DataFrame({"code": [], "timestamp_ns": [], "position": []})
    )
    return panels, extra


def _stack(
    columns: list[tuple[np.ndarray, np.ndarray, np.ndarray]], key: WindowSteps, first_scored_row: int
) -> Panel:
    rows = max(len(c[0]) for c in columns)
    seconds = np.full((rows, len(columns)), np.inf)
    values = np.full((rows, len(columns)), np.nan)
    positions = np.full((rows, len(columns)), -1, dtype=np.int64)
    for j, (col_seconds, col_values, col_positions) in enumerate(columns):
        n = len(col_seconds)
        seconds[:n, j] = col_seconds
        values[:n, j] = col_values
        positions[:n, j] = col_positions
    return Panel(
        values=values, seconds=seconds, positions=positions, first_scored_row=first_scored_row, windows=key
    )
