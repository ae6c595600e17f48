"""Which pain points and releases the report singles out."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from pipeline.report.model import PainPoint, Release
from pipeline.report.selection import (
    MIN_RELEASE_CUSTOMER_DAYS,
    VERSIONS_CHARTED_PER_PLATFORM,
    biggest,
    charted_releases,
    growing_pain_points,
)


def _point(name: str, this_period: int, previous: int, *, new: bool = False, customers: int = 10) -> PainPoint:
    return PainPoint(name, name, "active", datetime(2026, 1, 1), None, 0, customers, None, (), (),
                     ((date(2026, 3, 8), this_period),), this_period, previous, new, None, 0, 0)


def test_growing_needs_both_a_ratio_and_an_absolute_increase() -> None:
    points = [_point("doubled small", 2, 1), _point("plus four", 14, 10), _point("tripled", 18, 6),
              _point("from zero", 5, 0), _point("new", 50, 0, new=True), _point("doubled", 20, 10)]
    assert [p.label for p in growing_pain_points(points)] == ["tripled", "doubled", "from zero"]


def test_biggest_prefers_customers_then_mrr_and_refuses_nothing() -> None:
    assert biggest([_point("a", 1, 1, customers=5), _point("b", 1, 1, customers=9)]).label == "b"
    with pytest.raises(ValueError, match="at least one pain point"):
        biggest([])


def test_chart_keeps_the_newest_active_versions_and_every_regression() -> None:
    enough = MIN_RELEASE_CUSTOMER_DAYS
    releases = [Release("android", f"5.{minor}.0", enough, 1, 1, "inc" if minor == 0 else None)
                for minor in range(VERSIONS_CHARTED_PER_PLATFORM + 3)]
    releases.append(Release("android", "6.0.0", enough - 1, 1, 1, None))  # newest, but too little activity
    releases.append(Release("ios", "1.0", enough, 1, 1, None))

    charted = [(release.platform, release.app_version) for release in charted_releases(releases)]
    newest = [("android", f"5.{minor}.0") for minor in range(3, VERSIONS_CHARTED_PER_PLATFORM + 3)]
    assert charted == [("android", "5.0.0"), *newest, ("ios", "1.0")]
