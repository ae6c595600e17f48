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
    wild can still alert on an unusual fall. Where ``deviations.young`` holds, the point must also
    beat the record of its reference baseline's own scores.
    """
    spike = oriented(deviations.spike, direction)
    shift = oriented(deviations.shift, direction)
    score = np.fmax(spike, shift)
    directions = ("up", "down") if direction == "both" else (direction,)
    spike_over = np.zeros(score.shape, dtype=bool)
    shift_over = np.zeros(score.shape, dtype=bool)
    young = deviations.young
    for one in directions:
        for over_kind, chosen, own in (
            (spike_over, deviations.spike, deviations.baseline_spikes),
            (shift_over, deviations.shift, deviations.baseline_shifts),
        ):
            over = _over(oriented(chosen, one), threshold, record_steps, record_factor)
            if young.any():
                agrees = _reference_agrees(own, deviations.reference, young, one, record_steps, record_factor)
                over &= ~young | agrees
            over_kind |= over
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


def _reference_agrees(
    own: tuple[np.ndarray, ...],
    reference: np.ndarray,
    young: np.ndarray,
    direction: str,
    record_steps: int,
    record_factor: float,
) -> np.ndarray:
    """Where the point beats the record of its reference baseline's own scores (asked where young).

    The record of the chosen scores holds the scale of the baseline chosen before a young seasonal
    one, not the young one's (its residuals are narrower, so its z-scores run larger). The
    reference is the best-fitting baseline whose scores the record has known long enough; its
    score need not reach the threshold, the chosen one already did.
    """
    agrees = np.zeros(young.shape, dtype=bool)
    for index in np.unique(reference[young]):
        scores = oriented(own[index], direction)
        agrees |= (reference == index) & _beats_record(scores, record_steps, record_factor)
    return agrees


def _over(score: np.ndarray, threshold: float, record_steps: int, record_factor: float) -> np.ndarray:
    """Score at or above the threshold and above ``record_factor`` x its trailing maximum."""
    return (score >= threshold) & _beats_record(score, record_steps, record_factor)


def _beats_record(score: np.ndarray, record_steps: int, record_factor: float) -> np.ndarray:
    """Score above ``record_factor`` x its trailing maximum (everywhere when the record gate is off)."""
    if record_steps <= 0 or record_factor <= 0:
        return np.ones(score.shape, dtype=bool)
    # Only a known record holds a point back: a NaN score or a row with no record yet passes.
    return ~(score <= record_factor * trailing_max(score, record_steps))


def _spaced(rows: np.ndarray, times: np.ndarray, cooldown_seconds: float) -> np.ndarray:
    """The first row, then each next row at least the cooldown after the last one kept."""
    kept = []
    i = 0
    while i < rows.size:
        kept.append(rows[i])
        # Jump straight past the cooldown instead of walking row by row.
        i = max(i + 1, int(np.searchsorted(times, times[i] + cooldown_seconds, side="left")))
    return np.asarray(kept, dtype=np.int64)
