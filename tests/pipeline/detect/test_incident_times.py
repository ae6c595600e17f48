"""Honest incident times: replayed hour by hour (then every 3 h), ``detected_at`` is the run that first found an incident.

``started_at <= evidence_at <= detected_at`` for every kind, and ``detected_at`` is exactly the as-of of
the first hourly run whose table held the incident; a rerun of the same as-of changes none of them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from detect_world import SETTINGS
from sqlalchemy import Engine, text

from pipeline.backtest.truth import read_truth
from pipeline.detect.aggregates import refresh_aggregates
from pipeline.detect.incidents import detect_incidents
from pipeline.ingest import ingest

TIMES = "SELECT incident_id, kind, started_at, evidence_at, detected_at FROM incidents ORDER BY incident_id"
# Hourly for a day after each injected start, then every 3 h: a release regression is judged on whole
# days of the new version's activity and needs enough of them: the test world's is found ~3 days in.
HOURLY_FOR = 26
LAST_HOUR = 84


def _times(engine: Engine) -> dict[str, tuple]:
    with engine.connect() as connection:
        return {row.incident_id: tuple(row)[1:] for row in connection.execute(text(TIMES))}


def _hourly_as_ofs(world_dir: Path) -> list[datetime]:
    """Every hour from 2 h before each injected incident's start to a day after it, then every 3 h."""
    hours: set[datetime] = set()
    for incident in read_truth(world_dir).incidents:
        start = incident.started_at.replace(minute=0, second=0, microsecond=0)
        offsets = [*range(-2, HOURLY_FOR + 1), *range(HOURLY_FOR + 3, LAST_HOUR + 1, 3)]
        hours.update(start + timedelta(hours=h) for h in offsets)
    return sorted(hours)


@pytest.mark.slow
def test_hourly_replay_stamps_every_incident_with_the_run_that_found_it(sqlite_warehouse: Engine, world_dir: Path) -> None:
    ingest(sqlite_warehouse, str(world_dir))
    first_seen: dict[str, datetime] = {}
    for as_of in _hourly_as_ofs(world_dir):
        refresh_aggregates(sqlite_warehouse, as_of)
        detect_incidents(sqlite_warehouse, as_of, SETTINGS)
        for incident_id in _times(sqlite_warehouse):
            first_seen.setdefault(incident_id, as_of)
        if as_of.hour == 12:  # a rerun of an as-of already run must not move any time
            before = _times(sqlite_warehouse)
            detect_incidents(sqlite_warehouse, as_of, SETTINGS)
            assert _times(sqlite_warehouse) == before

    stored = _times(sqlite_warehouse)
    assert {kind for kind, *_ in stored.values()} >= {"spike", "new_signature", "release_regression"}
    for incident_id, (kind, started_at, evidence_at, detected_at) in stored.items():
        assert started_at <= evidence_at <= detected_at, (kind, started_at, evidence_at, detected_at)
        assert detected_at == first_seen[incident_id], (kind, detected_at, first_seen[incident_id])
