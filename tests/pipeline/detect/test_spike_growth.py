"""A spike's first hour that is no incident yet does not silence the bug while it grows.

A world whose spike's customers arrive on a ramp (seed 5: E-EXPORT-504 from 07:25, two customers in the
08:00 hour, six at 10:00, five to seven an hour from 14:00, against a usual 0.3): the 10:00 hour beats the
detector's threshold and record, but the burst around it ends at 11:00 with five customers, two of them
its usual traffic, so it is no incident. With the detector's 12-hour cooldown that hour was the bug's one
alert until 22:00, and the spike was found at 23:00; every hour that beats the record is judged now, and
the 15:00 hour (11 events) makes it an incident in the 16:00 run.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from detect_world import SETTINGS
from sqlalchemy import Engine, text

from pipeline.detect.aggregates import refresh_aggregates
from pipeline.detect.incidents import detect_incidents
from pipeline.ingest import Interval, ingest
from pipeline.simulate import WorldSettings, simulate_world

AS_OF = datetime(2026, 1, 8, 16)


@pytest.fixture(scope="module")
def ramped_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ramp") / "world"
    simulate_world(WorldSettings(customers=1000, days=12, seed=5, start=date(2026, 1, 1), arrival="ramp"), out)
    return out


def test_a_first_hour_that_is_no_incident_does_not_silence_a_growing_spike(
    sqlite_warehouse: Engine, ramped_world: Path
) -> None:
    ingest(sqlite_warehouse, str(ramped_world), Interval(datetime(2026, 1, 1), AS_OF))
    refresh_aggregates(sqlite_warehouse, AS_OF)
    detect_incidents(sqlite_warehouse, AS_OF, SETTINGS)
    with sqlite_warehouse.connect() as connection:
        found = connection.execute(text(
            "SELECT kind, error_code, started_at, customer_count FROM incidents WHERE kind IN ('spike', 'level_shift')"
        )).all()
    assert [(kind, code) for kind, code, _, _ in found] in ([("spike", "E-EXPORT-504")], [("level_shift", "E-EXPORT-504")])
    _, _, started, customers = found[0]
    assert datetime.fromisoformat(str(started)) >= datetime(2026, 1, 8, 7)
    assert customers >= 5
