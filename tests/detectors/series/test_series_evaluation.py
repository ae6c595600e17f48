"""evaluate_alerts: NAB-style window recall, false alerts, delay, probation and merging."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from detectors.series.evaluation import evaluate_alerts

STAMPS = pd.date_range("2024-01-01", periods=100 * 24, freq="h", tz="UTC")  # 100 days


def _alerts(*days: float) -> np.ndarray:
    flags = np.zeros(len(STAMPS), dtype=bool)
    for day in days:
        flags[int(day * 24)] = True
    return flags


def test_alert_inside_window_detects_it_and_reports_the_delay():
    window = (pd.Timestamp("2024-03-01"), pd.Timestamp("2024-03-03"))
    outcome = evaluate_alerts(STAMPS, _alerts(60.5), [window])  # 2024-03-01 12:00
    assert outcome.detected == 1 and outcome.false_alerts == 0
    assert outcome.windows[0].first_alert_hours == 12.0
    assert outcome.windows[0].first_alert_fraction == pytest.approx(0.25)


def test_alerts_outside_windows_are_false_and_probation_is_not_scored():
    window = (pd.Timestamp("2024-03-01"), pd.Timestamp("2024-03-03"))
    outcome = evaluate_alerts(STAMPS, _alerts(5, 40, 80), [window])  # day 5 is in the first 15 days
    assert outcome.detected == 0 and outcome.false_alerts == 2
    outside_weeks = (85 - 2) * 24 / 168  # after probation, minus the two-day window
    assert outcome.false_per_week == pytest.approx(2 / outside_weeks, rel=0.01)
    # When each false alert came (day 5 is in probation): day 40 and day 80.
    assert outcome.false_alert_times == (STAMPS[40 * 24], STAMPS[80 * 24])


def test_alerts_within_merge_hours_count_once():
    outcome = evaluate_alerts(STAMPS, _alerts(40, 40 + 5 / 24, 41), [], merge_hours=12)
    assert outcome.false_alerts == 2
    assert outcome.false_alert_times == (STAMPS[40 * 24], STAMPS[41 * 24])  # the merged one is not listed


def test_window_ending_in_probation_is_left_out():
    early = (pd.Timestamp("2024-01-03"), pd.Timestamp("2024-01-05"))
    late = (pd.Timestamp("2024-03-01"), pd.Timestamp("2024-03-03"))
    outcome = evaluate_alerts(STAMPS, _alerts(), [early, late])
    assert len(outcome.windows) == 1 and outcome.windows[0].start == pd.Timestamp("2024-03-01", tz="UTC")
