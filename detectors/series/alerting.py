"""From deviations to a score, alerts (one per incident, thanks to the cooldown) and their kind."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from detectors.series.deviation import Deviations
from detectors.series.robust import trailing_max

SPIKE = "spike"
LEVEL_SHIFT = "level_shift"
NO_KIND = ""


@dataclass(frozen=True)
class Alerts:
    """Per observation: the anomaly score, whether it raises an alert, and of which kind."""

    score: np.ndarray  # >= 0, NaN where not scored
    alert: np.ndarray  # bool
    kind: np.ndarray  # object: "spike", "level_shift" or ""


def oriented(z: np.ndarray, direction: str) -> np.ndarray:
    """Keep only the deviations in the direction that matters, as non-negative scores."""
    if direction == "up":
        return np.where(np.isnan(z), np.nan, np.maximum(z, 0.0))
    if direction == "down":
        return np.where(np.isnan(z), np.nan, np.maximum(-z, 0.0))
    return np.abs(z)


def raise_alerts(
    deviations: Deviations,
    seconds: np.ndarray,
    *,
    threshold: float,
    record_steps: int,
    record_factor: float,
    cooldown_hours: float,
    direction: str,
) -> Alerts:
    """Alert where a score reaches the threshold and beats its recent record, once per cooldown.

    With ``direction="both"`` rises and falls keep separate records, so a series whose rises are
    wild can still alert on an unusual fall.
    """
    spike = oriented(deviations.spike, direction)
    shift = oriented(deviations.shift, direction)
    score = np.fmax(spike, shift)
    directions = ("up", "down") if direction == "both" else (direction,)
    spike_over = np.zeros(score.shape, dtype=bool)
    shift_over = np.zeros(score.shape, dtype=bool)
    for one in directions:
        spike_over |= _over(oriented(deviations.spike, one), threshold, record_steps, record_factor)
        shift_over |= _over(oriented(deviations.shift, one), threshold, record_steps, record_factor)
    over = spike_over | shift_over
    alert = np.zeros(score.shape, dtype=bool)
    cooldown_seconds = cooldown_hours * 3600.0
    for column in np.flatnonzero(over.any(axis=0)):
        rows = np.flatnonzero(over[:, column])
        alert[_spaced(rows, seconds[rows, column], cooldown_seconds), column] = True
    kind = np.full(score.shape, NO_KIND, dtype=object)
    kind[alert & spike_over] = SPIKE
    kind[alert & ~spike_over] = LEVEL_SHIFT
    return Alerts(score=score, alert=alert, kind=kind)


def _over(score: np.ndarray, threshold: float, record_steps: int, record_factor: float) -> np.ndarray:
    """Score at or above the threshold and above ``record_factor`` x its trailing maximum."""
    over = score >= threshold
    if record_steps > 0 and record_factor > 0:
        record = trailing_max(score, record_steps)
        over &= ~(score <= record_factor * record)
    return over


def _spaced(rows: np.ndarray, times: np.ndarray, cooldown_seconds: float) -> np.ndarray:
    """The first row, then each next row at least the cooldown after the last one kept."""
    kept = []
    i = 0
    while i < rows.size:
        kept.append(rows[i])
        # Jump straight past the cooldown instead of walking row by row.
        i = max(i + 1, int(np.searchsorted(times, times[i] + cooldown_seconds, side="left")))
    return np.asarray(kept, dtype=np.int64)
