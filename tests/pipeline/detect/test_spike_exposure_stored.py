"""A spike's customers past its email audience's bound stay exposed in the warehouse and are never emailed.

On the detection world (seed 2) the spike's one-time visitors are partly its signature's usual traffic:
dropping them from the incident cost it recall and its pain-point link, so the bound only marks them.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from detect_world import SETTINGS, SPIKE_AS_OF
from sqlalchemy import Engine, text

from pipeline.detect.aggregates import refresh_aggregates
from pipeline.detect.incidents import detect_incidents
from pipeline.ingest import ingest

SPIKE_CUSTOMERS = (
    "SELECT ic.customer_id, ic.in_audience FROM incident_customers ic JOIN incidents i ON i.incident_id = ic.incident_id "
    "WHERE i.kind = 'spike' ORDER BY ic.customer_id"
)


def _spike(engine: Engine) -> tuple[dict[str, bool], dict]:
    with engine.connect() as connection:
        customers = {row.customer_id: bool(row.in_audience) for row in connection.execute(text(SPIKE_CUSTOMERS))}
        [evidence] = connection.execute(text("SELECT evidence FROM incidents WHERE kind = 'spike'")).scalars()
    return customers, json.loads(evidence)


def test_the_audience_bound_marks_exposed_customers_instead_of_dropping_them(sqlite_warehouse: Engine, world_dir: Path) -> None:
    ingest(sqlite_warehouse, str(world_dir))
    refresh_aggregates(sqlite_warehouse, SPIKE_AS_OF)
    unbounded = dataclasses.replace(SETTINGS, spike_max_audience_background_share=1.0)
    detect_incidents(sqlite_warehouse, SPIKE_AS_OF, unbounded)
    everyone, _ = _spike(sqlite_warehouse)
    assert everyone and all(everyone.values())

    # The same run with the default bound: the same customers exposed, some of them out of the email audience.
    assert SETTINGS.spike_max_audience_background_share < 1.0
    detect_incidents(sqlite_warehouse, SPIKE_AS_OF, SETTINGS)
    bounded, evidence = _spike(sqlite_warehouse)
    assert set(bounded) == set(everyone)
    left_out = sum(not in_audience for in_audience in bounded.values())
    assert 0 < left_out < len(bounded)
    assert evidence["usual_traffic_exposed"] == left_out
