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

from pipeline.detect import DetectSettings
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


def _first_spike(engine: Engine, world_dir: Path, settings: DetectSettings) -> tuple[dict[str, bool], dict]:
    """Load the world, detect as of the spike with ``settings``, and read the spike."""
    ingest(engine, str(world_dir))
    refresh_aggregates(engine, SPIKE_AS_OF)
    detect_incidents(engine, SPIKE_AS_OF, settings)
    return _spike(engine)


def test_the_audience_bound_marks_exposed_customers_instead_of_dropping_them(sqlite_warehouse: Engine, world_dir: Path) -> None:
    unbounded = dataclasses.replace(SETTINGS, spike_max_audience_background_share=1.0)
    everyone, _ = _first_spike(sqlite_warehouse, world_dir, unbounded)
    assert everyone and all(everyone.values())

    # The same run with the default bound: the same customers exposed, some of them out of the email audience.
    assert SETTINGS.spike_max_audience_background_share < 1.0
    detect_incidents(sqlite_warehouse, SPIKE_AS_OF, SETTINGS)
    bounded, evidence = _spike(sqlite_warehouse)
    assert set(bounded) == set(everyone)
    left_out = sum(not in_audience for in_audience in bounded.values())
    assert 0 < left_out < len(bounded)
    assert evidence["usual_traffic_exposed"] == left_out


def test_a_spike_whose_customers_its_usual_traffic_explains_is_no_incident(sqlite_warehouse: Engine, world_dir: Path) -> None:
    strict = dataclasses.replace(SETTINGS, spike_max_background_share=0.01)
    customers, evidence = _first_spike(sqlite_warehouse, world_dir, strict)
    assert evidence["usual_traffic_customers"] > 0  # some levels were the usual traffic's

    # Asking for one customer more than those beyond the usual traffic (but no more than all who hit it):
    # the burst is its usual hitters' as far as that floor can tell, and no incident.
    floor = len(customers) + 1
    assert floor <= len(customers) + evidence["usual_traffic_customers"]
    with sqlite_warehouse.begin() as connection:  # as a fresh install would run it
        for table in ("pain_point_incidents", "incident_customers", "incidents"):
            connection.execute(text(f"DELETE FROM {table}"))
    detect_incidents(sqlite_warehouse, SPIKE_AS_OF, dataclasses.replace(strict, spike_min_customers=floor))
    with sqlite_warehouse.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM incidents WHERE kind = 'spike'")).scalar() == 0
