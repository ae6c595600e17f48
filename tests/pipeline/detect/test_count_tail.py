"""A spike's count test reads how much the bug's daily rate wanders before calling an hour rare."""

from __future__ import annotations

import pandas as pd
import pytest
from scipy import stats

from pipeline.detect.count_tail import count_tail, rate_variation
from pipeline.detect.spikes import _count_p_value

WEEK = 168
START = pd.Timestamp("2026-01-12 00:00")  # a midnight hour, as in the seed-43 world


def _week(daily: list[int], burst: int) -> pd.DataFrame:
    """The bug's rows: each day's events spread one an hour from 14:00, then ``burst`` events at START."""
    rows = []
    for day, count in enumerate(daily):
        midnight = START - pd.Timedelta(days=len(daily) - day)
        rows += [{"hour": midnight + pd.Timedelta(hours=14 + i % 10), "event_count": 1} for i in range(count)]
    rows.append({"hour": START, "event_count": burst})
    frame = pd.DataFrame(rows).groupby("hour", as_index=False)["event_count"].sum()
    return frame.assign(signature_id="sig-a")


def _steady_use() -> pd.Series:
    """The other signatures' events: 100 an hour all week, so every day is as busy as the next."""
    hours = pd.date_range(START - pd.Timedelta(hours=WEEK), periods=WEEK + 1, freq="h")
    return pd.Series(100.0, index=hours)


def test_days_no_more_scattered_than_poisson_leave_the_poisson_test() -> None:
    members = _week([16, 15, 17, 16, 14, 16, 17], burst=6)
    before = members[members["hour"] < START]
    assert rate_variation(before, START, WEEK, _steady_use()) == 0.0
    assert count_tail(6, 0.4, 0.0) == pytest.approx(stats.poisson.sf(5, 0.4))


def test_a_wandering_daily_rate_makes_the_same_hour_less_rare() -> None:
    # HTTP-429 in the seed-43 world: 21, 23, 19, 16, 16, 10, 4 events on the days before six customers
    # hit it in one midnight hour.
    members = _week([21, 23, 19, 16, 16, 10, 4], burst=6)
    steady = _week([16, 15, 17, 16, 14, 16, 17], burst=6)
    use = _steady_use()
    end = START + pd.Timedelta(hours=1)
    variation = rate_variation(members[members["hour"] < START], START, WEEK, use)
    assert variation > 0.05
    wandering_p = _count_p_value(members, START, end, WEEK, use)
    steady_p = _count_p_value(steady, START, end, WEEK, use)
    # About the same 0.65 events expected (109 and 111 a week, a 168th of its use): Poisson calls six of
    # them 7e-5 either way; a rate that wanders as much as these days did (its busiest day left out) makes
    # them about three times likelier.
    assert steady_p == pytest.approx(stats.poisson.sf(5, 111 / 168), rel=1e-6)
    assert wandering_p > 2.5 * steady_p


def test_one_earlier_burst_day_does_not_excuse_the_next() -> None:
    members = _week([16, 15, 17, 60, 14, 16, 17], burst=6)
    assert rate_variation(members[members["hour"] < START], START, WEEK, _steady_use()) == 0.0


def test_a_short_history_is_read_as_poisson() -> None:
    members = _week([21, 4], burst=6)
    assert rate_variation(members[members["hour"] < START], START, 48, _steady_use()) == 0.0
