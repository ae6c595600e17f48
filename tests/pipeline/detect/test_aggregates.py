"""Event aggregates: a refresh adds only new events, and ends with exactly what a rebuild gives."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from pipeline.detect.aggregates import refresh_aggregates
from pipeline.ingest import Interval, ingest

AGGREGATE_QUERIES = {
    "event_hourly": "SELECT * FROM event_hourly ORDER BY hour, signature_id, platform, app_version",
    "version_activity_daily": "SELECT * FROM version_activity_daily ORDER BY day, platform, app_version",
    "customer_signature_exposure": "SELECT * FROM customer_signature_exposure ORDER BY customer_id, signature_id",
    "customer_version_activity": "SELECT * FROM customer_version_activity ORDER BY platform, app_version, customer_id",
    "signature_version_daily": "SELECT * FROM signature_version_daily ORDER BY day, platform, app_version, signature_id",
}
# What release-regression detection grouped from all events on every run before the aggregate existed.
VERSION_CUSTOMERS_FROM_EVENTS = """
SELECT platform, app_version, customer_id, MIN(occurred_at),
       MIN(CASE WHEN signature_id IS NOT NULL THEN occurred_at END),
       SUM(CASE WHEN signature_id IS NOT NULL THEN 1 ELSE 0 END)
FROM events
WHERE occurred_at < :as_of AND platform IS NOT NULL AND app_version IS NOT NULL
GROUP BY platform, app_version, customer_id
ORDER BY platform, app_version, customer_id
"""
# What the per-signature release test grouped from the error events on every run before its aggregate.
SIGNATURE_DAYS_FROM_EVENTS = """
SELECT occurred_at, platform, app_version, signature_id, customer_id FROM events
WHERE signature_id IS NOT NULL AND occurred_at < :as_of AND platform IS NOT NULL AND app_version IS NOT NULL
"""
START = datetime(2026, 3, 2)


def _aggregates(engine: Engine) -> dict[str, list[tuple]]:
    with engine.connect() as connection:
        return {name: [tuple(row) for row in connection.execute(text(sql))] for name, sql in AGGREGATE_QUERIES.items()}


def _typed(row: tuple) -> tuple:
    """A row with times as datetimes: MIN() over a time column comes back as text on SQLite."""
    return tuple(datetime.fromisoformat(v) if isinstance(v, str) and v[:4].isdigit() and "-" in v else v for v in row)


def _rebuilt(engine: Engine, as_of: datetime) -> dict[str, list[tuple]]:
    refresh_aggregates(engine, as_of, rebuild=True)
    return _aggregates(engine)


def _latest_event(engine: Engine) -> datetime:
    with engine.connect() as connection:
        return connection.execute(text("SELECT occurred_at FROM events ORDER BY occurred_at DESC LIMIT 1")).scalar_one()


def test_daily_refreshes_add_up_to_a_rebuild(warehouse: Engine, world_dir: Path) -> None:
    """Ingest and refresh day by day (as-ofs off the hour too): every day equals a full recount."""
    ingest(warehouse, str(world_dir), Interval(None, START + timedelta(days=3)))
    plans = [refresh_aggregates(warehouse, START + timedelta(days=3))]
    for day in range(3, 23):
        ingest(warehouse, str(world_dir), Interval(START + timedelta(days=day), START + timedelta(days=day + 1)))
        as_of = START + timedelta(days=day + 1, hours=-5, minutes=-17)  # mid-hour: partial hours carry over
        plans.append(refresh_aggregates(warehouse, as_of))
        appended = _aggregates(warehouse)
        assert appended == _rebuilt(warehouse, as_of), f"aggregates differ from a rebuild as of {as_of}"
        refresh_aggregates(warehouse, as_of)  # the rebuild above moved the watermark; go on appending
    assert plans[0].rebuild and plans[0].reason == "first refresh"
    assert all(not p.rebuild for p in plans[1:]), [p.reason for p in plans if p.rebuild]
    totals = _aggregates(warehouse)
    assert sum(row[4] for row in totals["customer_signature_exposure"]) > 1_000  # real counts, not empty tables
    assert totals["version_activity_daily"] and totals["event_hourly"]
    with warehouse.connect() as connection:
        from_events = [_typed(r) for r in connection.execute(text(VERSION_CUSTOMERS_FROM_EVENTS), {"as_of": as_of})]
    assert [_typed(r) for r in totals["customer_version_activity"]] == from_events
    assert any(row[4] is not None for row in from_events) and any(row[4] is None for row in from_events)
    customers: dict[tuple, set[str]] = {}
    with warehouse.connect() as connection:
        for at, platform, version, signature, customer in connection.execute(text(SIGNATURE_DAYS_FROM_EVENTS), {"as_of": as_of}):
            day = _typed((at,))[0].replace(hour=0, minute=0, second=0, microsecond=0)
            customers.setdefault((day, platform, version, signature), set()).add(customer)
    signature_days = sorted((*key, len(who)) for key, who in customers.items())
    assert [_typed(r) for r in totals["signature_version_daily"]] == signature_days
    assert any(row[4] > 1 for row in signature_days)  # distinct customers, some signature hit by several a day


def test_nothing_at_or_after_the_as_of_is_counted_even_going_back(warehouse: Engine, world_dir: Path) -> None:
    ingest(warehouse, str(world_dir))
    late = _latest_event(warehouse)
    refresh_aggregates(warehouse, late + timedelta(seconds=1))
    earlier = START + timedelta(days=10, hours=6, minutes=30)
    plan = refresh_aggregates(warehouse, earlier)
    assert plan.rebuild and "before the last refresh" in plan.reason
    with warehouse.connect() as connection:
        latest = "SELECT {0} FROM {1} ORDER BY {0} DESC LIMIT 1"  # typed column, unlike MAX() on SQLite
        assert connection.execute(text(latest.format("last_exposed_at", "customer_signature_exposure"))).scalar_one() < earlier
        assert connection.execute(text(latest.format("hour", "event_hourly"))).scalar_one() < earlier
        counted = connection.execute(text("SELECT SUM(event_count) FROM event_hourly")).scalar_one()
        expected = connection.execute(
            text("SELECT COUNT(*) FROM events WHERE signature_id IS NOT NULL AND occurred_at < :t"), {"t": earlier}
        ).scalar_one()
    assert counted == expected > 0


def test_late_events_loaded_into_aggregated_time_trigger_a_rebuild(warehouse: Engine, world_dir: Path) -> None:
    middle = START + timedelta(days=12)
    ingest(warehouse, str(world_dir), Interval(None, middle - timedelta(days=2)))
    ingest(warehouse, str(world_dir), Interval(middle, middle + timedelta(days=2)))
    refresh_aggregates(warehouse, middle + timedelta(days=2))
    # The two missing days arrive late: their interval starts before the aggregates' as-of.
    ingest(warehouse, str(world_dir), Interval(middle - timedelta(days=2), middle))
    plan = refresh_aggregates(warehouse, middle + timedelta(days=3))
    assert plan.rebuild and "loaded events before" in plan.reason
    assert _aggregates(warehouse) == _rebuilt(warehouse, middle + timedelta(days=3))
    # A reload that adds nothing (rows_loaded = 0) does not force another rebuild.
    ingest(warehouse, str(world_dir), Interval(middle - timedelta(days=2), middle))
    assert not refresh_aggregates(warehouse, middle + timedelta(days=3)).rebuild


def test_an_appending_refresh_reads_only_events_after_the_last_as_of(sqlite_warehouse: Engine, world_dir: Path) -> None:
    """Shown by an event written behind ingest's back into aggregated time: only a rebuild sees it."""
    ingest(sqlite_warehouse, str(world_dir))
    as_of = START + timedelta(days=8)
    refresh_aggregates(sqlite_warehouse, as_of)
    with sqlite_warehouse.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO events (event_id, customer_id, occurred_at, occurred_hour, name, platform, app_version, "
                "signature_id, source, loaded_at) SELECT 'behind-ingest', customer_id, :t, :h, name, platform, "
                "app_version, signature_id, source, loaded_at FROM events WHERE signature_id IS NOT NULL LIMIT 1"
            ),
            {"t": as_of - timedelta(hours=30), "h": as_of - timedelta(hours=30)},
        )
    before = sum(row[4] for row in _aggregates(sqlite_warehouse)["event_hourly"])
    assert not refresh_aggregates(sqlite_warehouse, as_of + timedelta(days=1)).rebuild
    appended = _aggregates(sqlite_warehouse)
    rebuilt = _rebuilt(sqlite_warehouse, as_of + timedelta(days=1))
    assert sum(row[4] for row in rebuilt["event_hourly"]) == sum(row[4] for row in appended["event_hourly"]) + 1
    assert sum(row[4] for row in appended["event_hourly"]) > before


@pytest.mark.parametrize("as_of", [START - timedelta(days=30), START + timedelta(days=5)])
def test_refresh_of_an_empty_or_early_window_is_clean(warehouse: Engine, world_dir: Path, as_of: datetime) -> None:
    refresh_aggregates(warehouse, as_of)  # no events at all yet
    assert _aggregates(warehouse) == {name: [] for name in AGGREGATE_QUERIES}
    ingest(warehouse, str(world_dir))
    plan = refresh_aggregates(warehouse, as_of)
    assert plan.rebuild  # the first load's interval is unbounded: it reaches into aggregated time
    assert _aggregates(warehouse) == _rebuilt(warehouse, as_of)
