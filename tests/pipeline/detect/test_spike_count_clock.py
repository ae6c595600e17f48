"""A spike's count test measures the burst against as much of the product's use as the burst saw."""

from __future__ import annotations

import pandas as pd

from pipeline.detect.spikes import _count_p_value

WEEK = 168
DAY_START = pd.Timestamp("2026-01-08 14:00")  # a Thursday afternoon
NIGHT_START = pd.Timestamp("2026-01-08 02:00")


def _world(start: pd.Timestamp, burst: int) -> tuple[pd.DataFrame, pd.Series]:
    """A week of use, ten times busier from 08:00 to 20:00, with the bug's usual events a tenth of the
    other signatures' by day and one in two night hours; then two hours of ``burst`` events each."""
    hours = pd.date_range(start - pd.Timedelta(hours=WEEK), periods=WEEK + 2, freq="h")
    day = (hours.hour >= 8) & (hours.hour < 20)
    others = pd.Series([50.0 if d else 5.0 for d in day], index=hours)
    usual = [5 if d else n % 2 for n, d in enumerate(day)]
    counts = usual[:WEEK] + [burst, burst]
    members = pd.DataFrame({"hour": hours, "signature_id": "sig-a", "event_count": counts})
    return members, others


def test_the_same_burst_is_more_surprising_at_night_than_on_a_busy_afternoon() -> None:
    night, night_use = _world(NIGHT_START, burst=6)
    day, day_use = _world(DAY_START, burst=6)
    end = pd.Timedelta(hours=2)
    at_night = _count_p_value(night, NIGHT_START, NIGHT_START + end, WEEK, night_use)
    by_day = _count_p_value(day, DAY_START, DAY_START + end, WEEK, day_use)
    wall_clock = _count_p_value(day, DAY_START, DAY_START + end, WEEK)
    # 12 events against 462 usual ones a week: the wall clock expects 5.5 in any two hours (p 0.01); the
    # activity clock 1.0 at night (10 of 4,620 events of use) and 10 on a weekday afternoon (100 of them).
    assert at_night < 1e-8
    assert wall_clock < 0.02
    assert by_day > 0.2
