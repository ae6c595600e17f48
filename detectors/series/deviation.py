"""How far each observation, and the recent level, stray from the baseline, in robust z units."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from detectors.series.baseline import rolling_baseline, seasonal_baseline
from detectors.series.panel import Panel, WindowSteps
from detectors.series.robust import (
    count_like_so_far,
    trailing_mean,
    trailing_median,
    trailing_move_size,
    trailing_spread,
)
from detectors.series.settings import AnomalySettings

# Keeps a perfectly constant series finite: zero residual over a tiny spread is a zero score.
ABSOLUTE_SPREAD_FLOOR = 1e-12


@dataclass(frozen=True)
class Deviations:
    """Signed robust z-scores per observation (NaN where not scored)."""

    spike: np.ndarray  # the observation against its baseline
    shift: np.ndarray  # the median of the recent window against the baseline
    # Where the chosen baseline is a seasonal one still too young to alert alone (see
    # ``seasonal_trust_hours``), and which baseline's own record must hold there: the best-fitting
    # one old enough (0 is the rolling one, i the i-th season's).
    young: np.ndarray
    reference: np.ndarray
    # Every baseline's own scores, in ``reference``'s numbering.
    baseline_spikes: tuple[np.ndarray, ...]
    baseline_shifts: tuple[np.ndarray, ...]


@dataclass(frozen=True)
class _Candidate:
    baseline: np.ndarray
    residual: np.ndarray
    spread: np.ndarray
    recent: np.ndarray
    recent_spread: np.ndarray
    move_floor: np.ndarray | float  # floor of the spike's spread from the size of the series' moves


def measure_deviations(panel: Panel, settings: AnomalySettings) -> Deviations:
    """Score every observation against whichever baseline has fitted the recent past better."""
    windows = panel.windows
    min_count = _min_spread_count(panel)
    move_share = settings.move_spread_share
    candidates = [_candidate(panel, rolling_baseline(panel), min_count, move_share)]
    for season_seconds in windows.season_seconds:
        candidates.append(_candidate(panel, seasonal_baseline(panel, season_seconds), min_count, move_share))
    unscored = _unscored(panel)
    usable = [_usable(candidate) for candidate in candidates]
    # A baseline is old enough once it has scored the trust's rows; the rolling one always is.
    old_enough = [np.ones(unscored.shape, dtype=bool)]
    old_enough += [np.cumsum(ok & ~unscored, axis=0) > windows.trust for ok in usable[1:]]
    chosen = _best(candidates, usable)
    reference = _best(candidates, [ok & old for ok, old in zip(usable, old_enough, strict=True)])
    # A mean, not a median: a mostly-zero series still has a typical size above zero.
    typical_level = trailing_mean(np.abs(panel.values), windows.spread, min_count)
    counts = count_like_so_far(panel.values)
    scores = [_scores(panel, settings, candidate, typical_level, unscored, counts) for candidate in candidates]
    spikes = tuple(spike for spike, _ in scores)
    shifts = tuple(shift for _, shift in scores)
    return Deviations(
        spike=np.choose(chosen, spikes),
        shift=np.choose(chosen, shifts),
        young=~np.choose(chosen, old_enough),
        reference=reference,
        baseline_spikes=spikes,
        baseline_shifts=shifts,
    )


def _scores(
    panel: Panel,
    settings: AnomalySettings,
    candidate: _Candidate,
    typical_level: np.ndarray,
    unscored: np.ndarray,
    counts: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Spike and level-shift z-scores against one candidate's baseline, floored, NaN where unscored.

    ``counts``: where the series has held only whole non-negative numbers so far (count floors apply).
    """
    relative_floor = settings.relative_spread_floor * np.nan_to_num(typical_level, nan=0.0)
    spike_floor = np.maximum(relative_floor, ABSOLUTE_SPREAD_FLOOR)
    shift_floor = spike_floor
    if settings.count_spread_floor:
        # Poisson noise: a count's spread is about sqrt(its mean). The median of the recent
        # window averages over about `shift` observations, but moves in whole counts: a median
        # one count off is never evidence of a level shift on its own.
        poisson = np.sqrt(np.maximum(np.nan_to_num(candidate.baseline, nan=0.0), 1.0))
        spike_floor = np.where(counts, np.maximum(spike_floor, poisson), spike_floor)
        shift_floor = np.where(
            counts,
            np.maximum(shift_floor, np.maximum(poisson / math.sqrt(panel.windows.shift), 1.0)),
            shift_floor,
        )
    # A series that mostly sits still has a median residual of zero, and its usual blips are not
    # spikes. Only the spike's: a recent median one move off for hours is a level shift (a
    # quantised CPU level that steps up by three of its quanta must still alert).
    spike_floor = np.fmax(spike_floor, candidate.move_floor)
    spike = candidate.residual / np.fmax(candidate.spread, spike_floor)
    shift = candidate.recent / np.fmax(candidate.recent_spread, shift_floor)
    unscored = unscored | np.isnan(candidate.spread) | np.isnan(candidate.recent_spread)
    return np.where(unscored, np.nan, spike), np.where(unscored, np.nan, shift)


def _candidate(panel: Panel, baseline: np.ndarray, min_count: int, move_share: float) -> _Candidate:
    windows = panel.windows
    residual = panel.values - baseline
    recent = trailing_median(residual, windows.shift, min_count=math.ceil(windows.shift / 2))
    return _Candidate(
        baseline=baseline,
        residual=residual,
        spread=trailing_spread(residual, windows.spread, min_count),
        recent=recent,
        recent_spread=trailing_spread(recent, windows.spread, min_count),
        move_floor=_move_floor(residual, windows, move_share),
    )


def _move_floor(residual: np.ndarray, windows: WindowSteps, move_share: float) -> np.ndarray | float:
    """``move_share`` x the size of the moves before the recent window.

    A quiet series has few moves: the first hours of an incident (3, 2, 4, 6 errors on a signature
    with one error a day) would make up half of them, and raise the floor against their own peak.
    """
    if move_share <= 0:
        return 0.0
    return move_share * trailing_move_size(residual, windows.spread, lag=windows.shift)


def _best(candidates: list[_Candidate], allowed: list[np.ndarray]) -> np.ndarray:
    """Per observation, the index of the allowed candidate whose past residuals were smallest.

    The spread is known before the point, so the choice is too. A candidate is usable where all
    its statistics exist: a seasonal baseline is not, for instance, where the same hour of past
    days fell into a gap. Where none is allowed, the rolling one (0).
    """
    best = np.zeros(candidates[0].residual.shape, dtype=np.int64)
    best_spread = np.where(allowed[0], candidates[0].spread, np.nan)
    for index, (other, ok) in enumerate(zip(candidates[1:], allowed[1:], strict=True), start=1):
        better = ok & (np.isnan(best_spread) | (other.spread < best_spread))
        best = np.where(better, index, best)
        best_spread = np.where(better, other.spread, best_spread)
    return best


def _usable(candidate: _Candidate) -> np.ndarray:
    return (
        np.isfinite(candidate.residual)
        & np.isfinite(candidate.spread)
        & np.isfinite(candidate.recent)
        & np.isfinite(candidate.recent_spread)
    )


def _min_spread_count(panel: Panel) -> int:
    windows = panel.windows
    history_steps = int(round(windows.min_history_hours * 3600.0 / windows.step_seconds))
    return max(3, min(math.ceil(windows.spread / 4), history_steps))


def _unscored(panel: Panel) -> np.ndarray:
    """Warm-up rows, padding and missing values."""
    rows = np.arange(panel.values.shape[0])[:, np.newaxis]
    too_early = (rows < panel.first_scored_row) | (panel.seconds < panel.windows.min_history_hours * 3600.0)
    return too_early | ~np.isfinite(panel.seconds) | np.isnan(panel.values)
