"""No look-ahead: scoring a prefix gives exactly the full run's rows up to the end of that prefix."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detectors.series import AnomalySettings, score_series

# Short windows, so that even a few hundred points exercise every statistic and the record gate.
TIGHT = AnomalySettings(
    window_hours=6,
    season_hours=(6.0, 24.0),
    season_count=3,
    spread_window_hours=24,
    shift_window_hours=2,
    min_history_hours=3,
    record_window_hours=48,
    cooldown_hours=2,
)
COUNTS_WITH_GAPS = AnomalySettings(step_hours=1.0, missing_as_zero=True, min_history_hours=6, window_hours=6)


@st.composite
def series(draw: st.DrawFn) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """Irregular timestamps (with gaps) and values mixing noise, counts, flat runs, spikes and NaNs."""
    size = draw(st.integers(min_value=1, max_value=400))
    seed = draw(st.integers(min_value=0, max_value=2**32 - 1))
    step_minutes = draw(st.sampled_from([5, 60]))
    rng = np.random.default_rng(seed)
    multiples = rng.choice([1, 1, 1, 1, 2, 3, 40], size=size)  # mostly regular, some gaps
    stamps = pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(
        np.cumsum(multiples) * step_minutes, unit="min"
    )
    kind = draw(st.sampled_from(["normal", "counts", "flat"]))
    if kind == "normal":
        values = rng.normal(50, 3, size)
    elif kind == "counts":
        values = rng.poisson(draw(st.sampled_from([0.2, 3.0, 40.0])), size).astype(float)
    else:
        values = np.full(size, 7.0)
    spikes = rng.random(size) < 0.02
    values[spikes] += rng.choice([-1, 1], spikes.sum()) * 100
    values[rng.random(size) < 0.03] = np.nan
    return stamps, values


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=series(), cut=st.floats(min_value=0.0, max_value=1.0), tight=st.booleans())
def test_prefix_scores_equal_full_run_truncated(
    data: tuple[pd.DatetimeIndex, np.ndarray], cut: float, tight: bool
):
    stamps, values = data
    chosen = TIGHT if tight else AnomalySettings()
    keep = max(1, int(round(cut * len(stamps))))
    full = score_series(stamps, values, chosen)
    prefix = score_series(stamps[:keep], values[:keep], chosen)
    pd.testing.assert_frame_equal(prefix, full.iloc[:keep].reset_index(drop=True))


@settings(max_examples=30, deadline=None)
@given(data=series(), cut=st.floats(min_value=0.0, max_value=1.0))
def test_prefix_equals_full_run_when_missing_hours_are_zero(
    data: tuple[pd.DatetimeIndex, np.ndarray], cut: float
):
    stamps, values = data
    stamps = stamps.floor("h").drop_duplicates()  # an hourly grid with holes
    values = np.nan_to_num(values[: len(stamps)], nan=0.0)
    keep = max(1, int(round(cut * len(stamps))))
    full = score_series(stamps, values, COUNTS_WITH_GAPS)
    prefix = score_series(stamps[:keep], values[:keep], COUNTS_WITH_GAPS)
    expected = full[full["timestamp"] <= stamps[keep - 1]].reset_index(drop=True)
    pd.testing.assert_frame_equal(prefix, expected)


def test_real_stream_prefixes_match_the_full_run(shared_data):
    path = shared_data / "nab" / "data" / "realKnownCause" / "machine_temperature_system_failure.csv"
    if not path.exists():
        pytest.skip(f"NAB stream not found at {path}")
    frame = pd.read_csv(path)
    full = score_series(frame["timestamp"], frame["value"])
    assert full["alert"].any()  # the comparison below covers alerts, not only quiet stretches
    for keep in (500, 7_000, 14_321, len(frame) - 1):
        prefix = score_series(frame["timestamp"][:keep], frame["value"][:keep])
        pd.testing.assert_frame_equal(prefix, full.iloc[:keep].reset_index(drop=True))
