"""A new install loads two days of history, not a week: a burst is judged against the usual rate of what
the history holds, not of a week it does not have.

Dividing two days of a signature's events by a whole week reads its usual rate as 2/7 of what it is, so
every busy hour of every signature looks like a spike and their usual traffic like affected customers.
And in two days the spike's iOS and macOS signatures had not shown, its web one had: the bug is not new
(found so, it held 13 of the spike's 36 customers), the spike detector judges it.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from detect_world import SETTINGS, SPIKE_AS_OF
from sqlalchemy import Engine, text

from pipeline.detect.aggregates import refresh_aggregates
from pipeline.detect.incidents import detect_incidents
from pipeline.ingest import Interval, ingest

INSTALLED = datetime(2026, 3, 12)  # two days before the world's spike


def test_a_short_history_finds_the_spike_alone_against_the_rate_it_holds(sqlite_warehouse: Engine, world_dir: Path) -> None:
    ingest(sqlite_warehouse, str(world_dir), Interval(INSTALLED, SPIKE_AS_OF))
    refresh_aggregates(sqlite_warehouse, SPIKE_AS_OF)
    detect_incidents(sqlite_warehouse, SPIKE_AS_OF, SETTINGS)
    with sqlite_warehouse.connect() as connection:
        start = connection.execute(text("SELECT MIN(occurred_at) FROM events")).scalar()
        found = connection.execute(text("SELECT kind, started_at, evidence FROM incidents")).all()
    assert [kind for kind, _, _ in found] == ["spike"]
    _, started, evidence = found[0]
    held = (datetime.fromisoformat(str(started)) - datetime.fromisoformat(str(start))).total_seconds() / 3600
    assert 24 < held < 168
    assert json.loads(evidence)["baseline_hours"] == int(held)


def test_a_new_error_that_began_in_the_loaded_days_is_new(sqlite_warehouse: Engine, world_dir: Path) -> None:
    # The world's new signature begins on 03-16; the install loads from 03-13 and runs on 03-18. Three days
    # of history never showed the error, at the pace it reached customers they would have: it is new.
    as_of = datetime(2026, 3, 18)
    ingest(sqlite_warehouse, str(world_dir), Interval(datetime(2026, 3, 13), as_of))
    refresh_aggregates(sqlite_warehouse, as_of)
    detect_incidents(sqlite_warehouse, as_of, SETTINGS)
    with sqlite_warehouse.connect() as connection:
        found = connection.execute(text("SELECT kind, evidence FROM incidents WHERE kind = 'new_signature'")).all()
    assert len(found) == 1
    evidence = json.loads(found[0].evidence)
    assert 24 <= evidence["history_hours_before"] < 168
    assert evidence["expected_before"] > evidence["customers_at_detection"]
