"""Scoring alerts against labelled anomaly windows (NAB style), for benchmarks and backtests."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

HOUR_NS = 3_600_000_000_000
WEEK_HOURS = 168.0


@dataclass(frozen=True)
class WindowOutcome:
    """One labelled window: was it caught, and how far into it came the first alert."""

    start: pd.Timestamp
    end: pd.Timestamp
    detected: bool
    first_alert_hours: float  # after the window start; NaN if missed
    first_alert_fraction: float  # of the window elapsed; NaN if missed


@dataclass(frozen=True)
class SeriesOutcome:
    """Alerts of one series against its windows, after the probation period."""

    windows: tuple[WindowOutcome, ...]
    false_alerts: int
    outside_hours: float  # scored time outside every window
    false_alert_times: tuple[pd.Timestamp, ...] = ()  # when each false alert came (UTC)

    @property
    def detected(self) -> int:
        """Number of windows with at least one alert."""
        return sum(w.detected for w in self.windows)

    @property
    def false_per_week(self) -> float:
        """False alerts per week of scored time outside windows."""
        return self.false_alerts / (self.outside_hours / WEEK_HOURS) if self.outside_hours > 0 else 0.0


def evaluate_alerts(
    timestamps: Sequence[pd.Timestamp] | pd.Series,
    alerts: Sequence[bool] | pd.Series | np.ndarray,
    windows: Sequence[tuple[pd.Timestamp, pd.Timestamp]],
    *,
    probation_fraction: float = 0.15,
    merge_hours: float = 0.0,
) -> SeriesOutcome:
    """Score one series' alerts against labelled windows.

    Args:
        timestamps: the series' timestamps, sorted (UTC).
        alerts: one flag per timestamp.
        windows: labelled ``(start, end)`` pairs, inclusive.
        probation_fraction: the first share of rows is not scored (NAB uses 0.15); windows that
            end inside it are left out.
        merge_hours: alerts within this long of the previous counted alert collapse into it.

    Returns:
        Per-window detection and delay, and the false alerts outside all windows.
    """
    stamps = pd.DatetimeIndex(pd.to_datetime(timestamps, utc=True)).as_unit("ns").asi8
    if stamps.size == 0:
        return SeriesOutcome(windows=(), false_alerts=0, outside_hours=0.0)
    flags = np.asarray(alerts, dtype=bool)
    probation_end = int(stamps[min(int(math.floor(probation_fraction * stamps.size)), stamps.size - 1)])
    last = int(stamps[-1])
    alert_times = _merge(stamps[flags & (stamps >= probation_end)], merge_hours)
    spans = [(_ns(s), _ns(e)) for s, e in windows]
    spans = [(s, e) for s, e in spans if e >= probation_end]  # windows ending in probation are not scored

    outcomes = []
    for start, end in spans:
        # An alert counts from the end of probation; the delay counts from the labelled start.
        inside = alert_times[(alert_times >= max(start, probation_end)) & (alert_times <= end)]
        if inside.size:
            delay = int(inside[0]) - start
            outcomes.append(
                WindowOutcome(_ts(start), _ts(end), True, delay / HOUR_NS, delay / max(end - start, 1))
            )
        else:
            outcomes.append(WindowOutcome(_ts(start), _ts(end), False, math.nan, math.nan))

    in_any = np.zeros(alert_times.size, dtype=bool)
    covered = 0
    for start, end in _union([(max(s, probation_end), min(e, last)) for s, e in spans]):
        in_any |= (alert_times >= start) & (alert_times <= end)
        covered += max(end - start, 0)
    outside_hours = max(last - probation_end - covered, 0) / HOUR_NS
    return SeriesOutcome(
        windows=tuple(outcomes), false_alerts=int((~in_any).sum()), outside_hours=outside_hours,
        false_alert_times=tuple(_ts(int(t)) for t in alert_times[~in_any]),
    )


def _merge(times: np.ndarray, merge_hours: float) -> np.ndarray:
    kept: list[int] = []
    for t in np.sort(times):
        if not kept or t - kept[-1] >= merge_hours * HOUR_NS:
            kept.append(int(t))
    return np.asarray(kept, dtype=np.int64)


def _union(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _ns(value: object) -> int:
    """Nanoseconds since the epoch; a timestamp without offset is UTC."""
    stamp = pd.Timestamp(value)
    return int((stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp).value)


def _ts(value: int) -> pd.Timestamp:
    return pd.Timestamp(value, unit="ns", tz="UTC")
